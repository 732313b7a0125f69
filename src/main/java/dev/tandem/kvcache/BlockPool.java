package dev.tandem.kvcache;

import java.util.ArrayDeque;

/**
 * Hands out physical KV block ids. This first version is a plain free list; reference counts and
 * prefix caching are added here (not in the scheduler) when sequences start to share blocks.
 */
public final class BlockPool {
    private final int numBlocks;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();

    public BlockPool(int numBlocks) {
        this.numBlocks = numBlocks;
        for (int i = 0; i < numBlocks; i++) {
            free.addLast(i);
        }
    }

    public int numBlocks() {
        return numBlocks;
    }

    public int numFree() {
        return free.size();
    }

    public boolean canAllocate(int n) {
        return free.size() >= n;
    }

    public int allocate() {
        Integer b = free.pollFirst();
        if (b == null) {
            throw new IllegalStateException("KV block pool exhausted (" + numBlocks + " blocks)");
        }
        return b;
    }

    public void release(int block) {
        if (block < 0 || block >= numBlocks) {
            throw new IllegalArgumentException("block " + block + " is not in this pool");
        }
        free.addLast(block);
    }
}
