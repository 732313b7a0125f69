package dev.tandem.kvcache;

import java.util.Arrays;

/** One sequence's logical-to-physical block map; it grows one block at a time as tokens arrive. */
public final class BlockTable {
    private final int blockSize;
    private int[] blocks = new int[4];
    private int numBlocks;

    public BlockTable(int blockSize) {
        this.blockSize = blockSize;
    }

    /** Makes room for numTokens tokens, taking blocks from the pool; false (and no change) if it has too few. */
    public boolean ensureCapacity(int numTokens, BlockPool pool) {
        int needed = (numTokens + blockSize - 1) / blockSize - numBlocks;
        if (needed <= 0) {
            return true;
        }
        if (!pool.canAllocate(needed)) {
            return false;
        }
        for (int i = 0; i < needed; i++) {
            if (numBlocks == blocks.length) {
                blocks = Arrays.copyOf(blocks, blocks.length * 2);
            }
            blocks[numBlocks++] = pool.allocate();
        }
        return true;
    }

    /** Returns every block to the pool, last block first so the tail is reused first. */
    public void releaseAll(BlockPool pool) {
        for (int i = numBlocks - 1; i >= 0; i--) {
            pool.release(blocks[i]);
        }
        numBlocks = 0;
    }

    public int numBlocks() {
        return numBlocks;
    }

    /** The physical block ids; entries beyond numBlocks() are meaningless. */
    public int[] blocks() {
        return blocks;
    }
}
