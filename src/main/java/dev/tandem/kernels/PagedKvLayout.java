package dev.tandem.kernels;

/**
 * Where each K and V vector lives in the paged KV arena. The arena is numBlocks blocks; a block
 * holds blockSize token slots for every layer. Inside a block the order is
 * [layer][K|V][kvHead][slot][headDim], so one head's keys for a block are contiguous for attention.
 * Values are f32. This layout is fixed: later sharing and shard handoff only move block ids.
 */
public record PagedKvLayout(int numLayers, int numKvHeads, int headDim, int blockSize, int numBlocks) {
    public static final int BYTES_PER_VALUE = 4;

    public PagedKvLayout {
        if (numLayers < 1 || numKvHeads < 1 || headDim < 1 || blockSize < 1 || numBlocks < 1) {
            throw new IllegalArgumentException("invalid KV layout " + numLayers + "/" + numKvHeads + "/" + headDim
                    + "/" + blockSize + "/" + numBlocks);
        }
    }

    public long bytesPerBlock() {
        return (long) numLayers * 2 * numKvHeads * blockSize * headDim * BYTES_PER_VALUE;
    }

    public long totalBytes() {
        return bytesPerBlock() * numBlocks;
    }

    /** Byte offset of the K (kOrV = 0) or V (1) vector of one head at one slot of a block. */
    public long offset(int block, int layer, int kOrV, int kvHead, int slot) {
        long index = (((long) layer * 2 + kOrV) * numKvHeads + kvHead) * blockSize + slot;
        return block * bytesPerBlock() + index * headDim * BYTES_PER_VALUE;
    }
}
