package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Where each K and V value lives in the paged KV arena. The arena is numBlocks blocks; a block
 * holds blockSize token slots for every layer, ordered [layer][K|V][kvHead][...]. One head's
 * area in a block is blockSize * headDim f32 values: V is slot-major ([slot][headDim], a token's
 * value vector is contiguous), K is dimension-major ([headDim][slot]), so that the scores of a
 * whole block of positions accumulate as vectors over slots, without a reduction per position.
 * This layout is shared by every shard: sharing and handoff only move block ids.
 */
public record PagedKvLayout(int numLayers, int numKvHeads, int headDim, int blockSize, int numBlocks) {
    public static final int BYTES_PER_VALUE = 4;

    public PagedKvLayout {
        if (numLayers < 1 || numKvHeads < 1 || headDim < 1 || blockSize < 1 || numBlocks < 1) {
            throw new IllegalArgumentException("invalid KV layout " + numLayers + "/" + numKvHeads + "/" + headDim + "/"
                    + blockSize + "/" + numBlocks);
        }
    }

    public long bytesPerBlock() {
        return (long) numLayers * 2 * numKvHeads * blockSize * headDim * BYTES_PER_VALUE;
    }

    public long totalBytes() {
        return bytesPerBlock() * numBlocks;
    }

    /** Byte offset of one head's K (kOrV = 0) or V (1) area in a block. */
    public long headOffset(int block, int layer, int kOrV, int kvHead) {
        long index = (((long) layer * 2 + kOrV) * numKvHeads + kvHead) * blockSize;
        return block * bytesPerBlock() + index * headDim * BYTES_PER_VALUE;
    }

    /** Byte offset of the V vector of one head at one slot of a block. */
    public long valueOffset(int block, int layer, int kvHead, int slot) {
        return headOffset(block, layer, 1, kvHead) + (long) slot * headDim * BYTES_PER_VALUE;
    }

    /** Byte offset of K element d of one head at one slot of a block (dimension-major). */
    public long keyOffset(int block, int layer, int kvHead, int d, int slot) {
        return headOffset(block, layer, 0, kvHead) + ((long) d * blockSize + slot) * BYTES_PER_VALUE;
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
        long column = (long) blockSize() * PagedKvLayout.BYTES_PER_VALUE;
        for (int h = 0; h < numKvHeads(); h++) {
            long key = keyOffset(block, layerIndex, h, 0, slot);
            for (int d = 0; d < headDim(); d++) {
                kvArena.set(ValueLayout.JAVA_FLOAT_UNALIGNED, key + d * column, k[kOff + h * headDim() + d]);
            }
            MemorySegment.copy(
                    v,
                    vOff + h * headDim(),
                    kvArena,
                    ValueLayout.JAVA_FLOAT_UNALIGNED,
                    valueOffset(block, layerIndex, h, slot),
                    headDim());
        }
    }
}
