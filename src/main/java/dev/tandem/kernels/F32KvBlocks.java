package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * Attention's two block kernels over an f32 KV cache, for one query head or two of a group that
 * share every load. Keys are dimension-major (each dimension adds q[d] times a vector of slots, no
 * reduction per position); values slot-major. One order of operations, whatever the batch.
 */
final class F32KvBlocks {
    private F32KvBlocks() {}

    /**
     * scale * (q . K[slot]) for every slot of one block into s[o ..], for one query head, or for two
     * (qOff2 >= 0, scores at o + o2) that then share every K load.
     */
    static void scores(
            MemorySegment arena,
            PagedKvLayout layout,
            int layer,
            int block,
            int kvHead,
            float[] q,
            int qOff,
            int qOff2,
            float scale,
            float[] s,
            int o,
            int o2) {
        int bs = layout.blockSize();
        int headDim = layout.headDim();
        long base = layout.headOffset(block, layer, 0, kvHead);
        long column = (long) bs * 4;
        int slot = 0;
        boolean two = qOff2 >= 0;
        int q2 = two ? qOff2 : qOff;
        for (; slot + LANES <= bs; slot += LANES) {
            // Four chains per head, over dimensions d % 4, for the FMA latency (one chain would wait
            // on its previous FMA at every dimension); the second head shares every K load.
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            long k = base + 4L * slot;
            int d = 0;
            for (; d + 3 < headDim; d += 4, k += 4 * column) {
                FloatVector k0 = Vectors.loadF32(arena, k);
                FloatVector k1 = Vectors.loadF32(arena, k + column);
                FloatVector k2 = Vectors.loadF32(arena, k + 2 * column);
                FloatVector k3 = Vectors.loadF32(arena, k + 3 * column);
                a0 = k0.fma(FloatVector.broadcast(F, q[qOff + d]), a0);
                a1 = k1.fma(FloatVector.broadcast(F, q[qOff + d + 1]), a1);
                a2 = k2.fma(FloatVector.broadcast(F, q[qOff + d + 2]), a2);
                a3 = k3.fma(FloatVector.broadcast(F, q[qOff + d + 3]), a3);
                if (two) {
                    b0 = k0.fma(FloatVector.broadcast(F, q[q2 + d]), b0);
                    b1 = k1.fma(FloatVector.broadcast(F, q[q2 + d + 1]), b1);
                    b2 = k2.fma(FloatVector.broadcast(F, q[q2 + d + 2]), b2);
                    b3 = k3.fma(FloatVector.broadcast(F, q[q2 + d + 3]), b3);
                }
            }
            // The last headDim % 4 dimensions join chains 0, 1, 2 in turn.
            for (int c = 0; d < headDim; d++, c++, k += column) {
                FloatVector key = Vectors.loadF32(arena, k);
                FloatVector qa = FloatVector.broadcast(F, q[qOff + d]), qb = FloatVector.broadcast(F, q[q2 + d]);
                if (c == 0) {
                    a0 = key.fma(qa, a0);
                    b0 = two ? key.fma(qb, b0) : b0;
                } else if (c == 1) {
                    a1 = key.fma(qa, a1);
                    b1 = two ? key.fma(qb, b1) : b1;
                } else {
                    a2 = key.fma(qa, a2);
                    b2 = two ? key.fma(qb, b2) : b2;
                }
            }
            a0.add(a1).add(a2.add(a3)).mul(scale).intoArray(s, o + slot);
            if (two) {
                b0.add(b1).add(b2.add(b3)).mul(scale).intoArray(s, o + o2 + slot);
            }
        }
        for (; slot < bs; slot++) {
            s[o + slot] = scalarScore(arena, layout, base, q, qOff, slot) * scale;
            if (two) {
                s[o + o2 + slot] = scalarScore(arena, layout, base, q, qOff2, slot) * scale;
            }
        }
    }

    private static float scalarScore(
            MemorySegment arena, PagedKvLayout layout, long base, float[] q, int qOff, int slot) {
        int bs = layout.blockSize();
        float dot = 0f;
        for (int d = 0; d < layout.headDim(); d++) {
            dot += q[qOff + d] * arena.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + ((long) d * bs + slot) * 4);
        }
        return dot;
    }

    /**
     * out[o ..] (+)= sum over slots j in [from, to] of one block of s[sOff + j] * V[j], for one query
     * head, or for two (sNext > 0: the second head's scores at sOff + sNext, its output at
     * o + headDim) that share every V load; the first block of the range stores, later ones add.
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
            int sNext,
            boolean first) {
        int headDim = layout.headDim();
        long stride = (long) headDim * 4;
        long base = layout.valueOffset(block, layer, kvHead, from);
        boolean two = sNext > 0;
        int s2 = two ? sOff + sNext : sOff;
        int i = 0;
        for (; i + LANES <= headDim; i += LANES) {
            // Four chains per head over slots j % 4 (the first starting from what the earlier
            // blocks left), for the FMA latency; the second head shares every V load.
            FloatVector zero = FloatVector.zero(F);
            FloatVector a0 = first ? zero : FloatVector.fromArray(F, out, o + i), a1 = zero, a2 = zero, a3 = zero;
            FloatVector b0 = two && !first ? FloatVector.fromArray(F, out, o + headDim + i) : zero;
            FloatVector b1 = zero, b2 = zero, b3 = zero;
            long v = base + 4L * i;
            int j = from;
            for (; j + 3 <= to; j += 4, v += 4 * stride) {
                FloatVector v0 = Vectors.loadF32(arena, v);
                FloatVector v1 = Vectors.loadF32(arena, v + stride);
                FloatVector v2 = Vectors.loadF32(arena, v + 2 * stride);
                FloatVector v3 = Vectors.loadF32(arena, v + 3 * stride);
                a0 = v0.fma(FloatVector.broadcast(F, s[sOff + j]), a0);
                a1 = v1.fma(FloatVector.broadcast(F, s[sOff + j + 1]), a1);
                a2 = v2.fma(FloatVector.broadcast(F, s[sOff + j + 2]), a2);
                a3 = v3.fma(FloatVector.broadcast(F, s[sOff + j + 3]), a3);
                if (two) {
                    b0 = v0.fma(FloatVector.broadcast(F, s[s2 + j]), b0);
                    b1 = v1.fma(FloatVector.broadcast(F, s[s2 + j + 1]), b1);
                    b2 = v2.fma(FloatVector.broadcast(F, s[s2 + j + 2]), b2);
                    b3 = v3.fma(FloatVector.broadcast(F, s[s2 + j + 3]), b3);
                }
            }
            // The last (to - from + 1) % 4 slots join chains 0, 1, 2 in turn.
            for (int c = 0; j <= to; j++, c++, v += stride) {
                FloatVector value = Vectors.loadF32(arena, v);
                FloatVector sa = FloatVector.broadcast(F, s[sOff + j]), sb = FloatVector.broadcast(F, s[s2 + j]);
                if (c == 0) {
                    a0 = value.fma(sa, a0);
                    b0 = two ? value.fma(sb, b0) : b0;
                } else if (c == 1) {
                    a1 = value.fma(sa, a1);
                    b1 = two ? value.fma(sb, b1) : b1;
                } else {
                    a2 = value.fma(sa, a2);
                    b2 = two ? value.fma(sb, b2) : b2;
                }
            }
            a0.add(a1).add(a2.add(a3)).intoArray(out, o + i);
            if (two) {
                b0.add(b1).add(b2.add(b3)).intoArray(out, o + headDim + i);
            }
        }
        for (; i < headDim; i++) {
            for (int h = 0; h < (two ? 2 : 1); h++) {
                float sum = first ? 0f : out[o + h * headDim + i];
                for (int j = from; j <= to; j++) {
                    sum += s[sOff + h * sNext + j]
                            * arena.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + (j - from) * stride + 4L * i);
                }
                out[o + h * headDim + i] = sum;
            }
        }
    }
}
