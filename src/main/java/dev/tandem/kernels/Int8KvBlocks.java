package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention's two block kernels over an int8 KV cache ({@link KvDtype#INT8}), one query head at a
 * time: bytes widen to f32 lanes as they load. Keys are dimension-major, so a block's per-slot key
 * scales are one vector that multiplies the slot scores once at the end; a value's scale folds into
 * its score (in place, once per block) before it weights the bytes. One order of operations, whatever the batch.
 */
final class Int8KvBlocks {
    /** As many byte lanes as F has float lanes. */
    private static final VectorSpecies<Byte> B = LANES == 8 ? ByteVector.SPECIES_64 : ByteVector.SPECIES_128;

    private Int8KvBlocks() {}

    private static FloatVector load(MemorySegment arena, long offset) {
        return (FloatVector)
                ByteVector.fromMemorySegment(B, arena, offset, Vectors.LE).convertShape(VectorOperators.B2F, F, 0);
    }

    /** scale * (q . K[slot]) for every slot of one block into s[o ..]. */
    static void scores(
            MemorySegment arena,
            PagedKvLayout layout,
            int layer,
            int block,
            int kvHead,
            float[] q,
            int qOff,
            float scale,
            float[] s,
            int o) {
        int bs = layout.blockSize(), headDim = layout.headDim();
        long base = layout.headOffset(block, layer, 0, kvHead);
        long scales = layout.scaleOffset(block, layer, 0, kvHead);
        int slot = 0;
        for (; slot + LANES <= bs; slot += LANES) {
            FloatVector acc = FloatVector.zero(F), acc2 = acc;
            long k = base + slot;
            int d = 0;
            for (; d + 1 < headDim; d += 2, k += 2L * bs) { // two chains for the FMA latency
                acc = load(arena, k).fma(FloatVector.broadcast(F, q[qOff + d]), acc);
                acc2 = load(arena, k + bs).fma(FloatVector.broadcast(F, q[qOff + d + 1]), acc2);
            }
            acc = acc.add(acc2);
            if (d < headDim) {
                acc = load(arena, k).fma(FloatVector.broadcast(F, q[qOff + d]), acc);
            }
            acc.mul(Vectors.loadF32(arena, scales + 4L * slot)).mul(scale).intoArray(s, o + slot);
        }
        for (; slot < bs; slot++) {
            float dot = 0f;
            for (int d = 0; d < headDim; d++) {
                dot += q[qOff + d] * arena.get(ValueLayout.JAVA_BYTE, base + (long) d * bs + slot);
            }
            s[o + slot] = dot * arena.get(ValueLayout.JAVA_FLOAT_UNALIGNED, scales + 4L * slot) * scale;
        }
    }

    /**
     * out[o ..] (+)= sum over slots j in [from, to] of s[sOff + j] * V[j]; the range's first block
     * stores. Leaves s[sOff + from .. to] multiplied by the values' scales.
     */
    static void values(
            MemorySegment arena,
            PagedKvLayout layout,
            int layer,
            int block,
            int kvHead,
            int from,
            int to,
            float[] s,
            int sOff,
            float[] out,
            int o,
            boolean first) {
        int headDim = layout.headDim();
        long base = layout.valueOffset(block, layer, kvHead, from);
        long scales = layout.scaleOffset(block, layer, 1, kvHead);
        // Each value's scale folds into its weight once, not once per LANES dimensions: this
        // block's scores are read by this call only.
        for (int j = from; j <= to; j++) {
            s[sOff + j] *= arena.get(ValueLayout.JAVA_FLOAT_UNALIGNED, scales + 4L * j);
        }
        int i = 0;
        for (; i + LANES <= headDim; i += LANES) {
            FloatVector acc0 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, out, o + i);
            FloatVector acc1 = FloatVector.zero(F);
            long v = base + i;
            int j = from;
            for (; j + 1 <= to; j += 2, v += 2L * headDim) {
                acc0 = load(arena, v).fma(FloatVector.broadcast(F, s[sOff + j]), acc0);
                acc1 = load(arena, v + headDim).fma(FloatVector.broadcast(F, s[sOff + j + 1]), acc1);
            }
            if (j == to) {
                acc0 = load(arena, v).fma(FloatVector.broadcast(F, s[sOff + j]), acc0);
            }
            acc0.add(acc1).intoArray(out, o + i);
        }
        for (; i < headDim; i++) {
            float sum = first ? 0f : out[o + i];
            for (int j = from; j <= to; j++) {
                sum += s[sOff + j] * arena.get(ValueLayout.JAVA_BYTE, base + (long) (j - from) * headDim + i);
            }
            out[o + i] = sum;
        }
    }
}
