package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where each K and V value lives in the paged KV arena. The arena is numBlocks blocks; a block
 * holds blockSize token slots for every layer, ordered [layer][K|V][kvHead][...]. One head's
 * area in a block is blockSize * headDim values of the dtype: V is slot-major ([slot][headDim], a
 * token's value vector is contiguous), K is dimension-major ([headDim][slot]), so that the scores
 * of a whole block of positions accumulate as vectors over slots, without a reduction per
 * position. With int8 values the area ends in blockSize f32 scales, one per slot. This layout is
 * shared by every shard: sharing and handoff only move block ids.
 */
public record PagedKvLayout(int numLayers, int numKvHeads, int headDim, int blockSize, int numBlocks, KvDtype dtype) {
    public PagedKvLayout {
        if (numLayers < 1 || numKvHeads < 1 || headDim < 1 || blockSize < 1 || numBlocks < 1) {
            throw new IllegalArgumentException("invalid KV layout " + numLayers + "/" + numKvHeads + "/" + headDim + "/"
                    + blockSize + "/" + numBlocks);
        }
    }

    /** An f32 cache. */
    public PagedKvLayout(int numLayers, int numKvHeads, int headDim, int blockSize, int numBlocks) {
        this(numLayers, numKvHeads, headDim, blockSize, numBlocks, KvDtype.F32);
    }

    /** Bytes of one head's K or V area in a block: its values, then (int8) its scales. */
    long headBytes() {
        long values = (long) blockSize * headDim * dtype.bytesPerValue();
        return dtype == KvDtype.INT8 ? values + 4L * blockSize : values;
    }

    public long bytesPerBlock() {
        return (long) numLayers * 2 * numKvHeads * headBytes();
    }

    public long totalBytes() {
        return bytesPerBlock() * numBlocks;
    }

    /** Byte offset of one head's K (kOrV = 0) or V (1) area in a block. */
    public long headOffset(int block, int layer, int kOrV, int kvHead) {
        long index = ((long) layer * 2 + kOrV) * numKvHeads + kvHead;
        return block * bytesPerBlock() + index * headBytes();
    }

    /** Byte offset of the f32 scales (one per slot) of an int8 head area. */
    public long scaleOffset(int block, int layer, int kOrV, int kvHead) {
        return headOffset(block, layer, kOrV, kvHead) + (long) blockSize * headDim;
    }

    /** Byte offset of the V vector of one head at one slot of a block. */
    public long valueOffset(int block, int layer, int kvHead, int slot) {
        return headOffset(block, layer, 1, kvHead) + (long) slot * headDim * dtype.bytesPerValue();
    }

    /** Byte offset of K element d of one head at one slot of a block (dimension-major). */
    public long keyOffset(int block, int layer, int kvHead, int d, int slot) {
        return headOffset(block, layer, 0, kvHead) + ((long) d * blockSize + slot) * dtype.bytesPerValue();
    }

    /** Stores one token's K and V (all KV heads) at its position in the sequence's blocks. */
    public void store(
            MemorySegment kvArena,
            int layerIndex,
            int[] blockTable,
            int pos,
            float[] k,
            int kOff,
            float[] v,
            int vOff) {
        int block = blockTable[pos / blockSize()];
        int slot = pos % blockSize();
        long column = (long) blockSize() * dtype.bytesPerValue();
        for (int h = 0; h < numKvHeads(); h++) {
            long key = keyOffset(block, layerIndex, h, 0, slot);
            int kh = kOff + h * headDim(), vh = vOff + h * headDim();
            if (dtype == KvDtype.INT8) {
                float ks = scale(k, kh), vs = scale(v, vh);
                kvArena.set(ValueLayout.JAVA_FLOAT_UNALIGNED, scaleOffset(block, layerIndex, 0, h) + 4L * slot, ks);
                kvArena.set(ValueLayout.JAVA_FLOAT_UNALIGNED, scaleOffset(block, layerIndex, 1, h) + 4L * slot, vs);
                long value = valueOffset(block, layerIndex, h, slot);
                for (int d = 0; d < headDim(); d++) {
                    kvArena.set(ValueLayout.JAVA_BYTE, key + d * column, quantize(k[kh + d], ks));
                    kvArena.set(ValueLayout.JAVA_BYTE, value + d, quantize(v[vh + d], vs));
                }
                continue;
            }
            for (int d = 0; d < headDim(); d++) {
                kvArena.set(ValueLayout.JAVA_FLOAT_UNALIGNED, key + d * column, k[kh + d]);
            }
            MemorySegment.copy(
                    v,
                    vh,
                    kvArena,
                    ValueLayout.JAVA_FLOAT_UNALIGNED,
                    valueOffset(block, layerIndex, h, slot),
                    headDim());
        }
    }

    /** The scale of one head's vector: its largest magnitude maps to 127 (1 for an all-zero vector). */
    private float scale(float[] x, int off) {
        float max = 0f;
        for (int d = 0; d < headDim; d++) {
            max = Math.max(max, Math.abs(x[off + d]));
        }
        return max > 0f ? max / 127f : 1f;
    }

    private static byte quantize(float x, float scale) {
        return (byte) Math.clamp(Math.round(x / scale), -127, 127);
    }
}
