package dev.tandem.kvcache;

import java.util.HashMap;
import java.util.Map;

/**
 * All KV blocks of the arena, with reference counts and the prefix cache. Unreferenced blocks
 * wait in one queue in eviction order (least recently freed first); an unreferenced block that
 * still has a hash is "cached": a later request with the same prefix takes it straight off the
 * queue. Allocation takes the queue's head and drops its hash, which evicts it.
 */
public final class BlockPool {
    private final KvBlock[] blocks;
    private final Map<Long, KvBlock> byHash = new HashMap<>();
    private final KvBlock head = new KvBlock(-1);
    private int numInQueue;
    private int numCached;

    public BlockPool(int numBlocks) {
        blocks = new KvBlock[numBlocks];
        head.prevFree = head;
        head.nextFree = head;
        for (int i = 0; i < numBlocks; i++) {
            blocks[i] = new KvBlock(i);
            enqueue(blocks[i]);
        }
    }

    public int numBlocks() {
        return blocks.length;
    }

    /** Blocks that can be handed out now: free ones plus cached ones that would be evicted. */
    public int numAllocatable() {
        return numInQueue;
    }

    /** Unreferenced blocks that still hold a reusable full block of KV. */
    public int numCached() {
        return numCached;
    }

    public int numInUse() {
        return blocks.length - numInQueue;
    }

    int refCount(int block) {
        return blocks[block].refCount;
    }

    /** Takes a block for writing (refCount 1), evicting the least recently used cached one if need be. */
    int allocate() {
        KvBlock b = head.nextFree;
        if (b == head) {
            throw new IllegalStateException("KV block pool exhausted (" + blocks.length + " blocks)");
        }
        dequeue(b);
        if (b.hash != KvBlock.NO_HASH) {
            byHash.remove(b.hash);
            b.hash = KvBlock.NO_HASH;
            b.tokens = null;
        }
        b.refCount = 1;
        return b.id;
    }

    /** The cached block holding exactly these tokens after the given parent chain hash, or -1. */
    int lookup(long hash, int[] tokens, int from, int count) {
        KvBlock b = byHash.get(hash);
        if (b == null || !java.util.Arrays.equals(b.tokens, 0, count, tokens, from, from + count)) {
            return -1;
        }
        return b.id;
    }

    /** Another reference to a cached or in-use block (a prefix-cache hit). */
    void share(int block) {
        KvBlock b = blocks[block];
        if (b.inFreeQueue) {
            dequeue(b);
        }
        b.refCount++;
    }

    /** Drops a reference; at zero the block joins the queue's tail (cached if it has a hash). */
    void release(int block) {
        KvBlock b = blocks[block];
        if (b.refCount <= 0) {
            throw new IllegalStateException("block " + block + " released more often than taken");
        }
        if (--b.refCount == 0) {
            enqueue(b);
        }
    }

    /**
     * Records that a full block holds these tokens under this chain hash. If another block already
     * caches the same content, this one stays uncached (the first copy serves later hits).
     */
    void cacheFull(int block, long hash, int[] tokens, int from, int count) {
        KvBlock b = blocks[block];
        if (b.hash != KvBlock.NO_HASH || byHash.containsKey(hash)) {
            return;
        }
        b.hash = hash;
        b.tokens = java.util.Arrays.copyOfRange(tokens, from, from + count);
        byHash.put(hash, b);
    }

    boolean isCachedFull(int block) {
        return blocks[block].hash != KvBlock.NO_HASH;
    }

    private void enqueue(KvBlock b) {
        b.prevFree = head.prevFree;
        b.nextFree = head;
        head.prevFree.nextFree = b;
        head.prevFree = b;
        b.inFreeQueue = true;
        numInQueue++;
        if (b.hash != KvBlock.NO_HASH) {
            numCached++;
        }
    }

    private void dequeue(KvBlock b) {
        b.prevFree.nextFree = b.nextFree;
        b.nextFree.prevFree = b.prevFree;
        b.prevFree = null;
        b.nextFree = null;
        b.inFreeQueue = false;
        numInQueue--;
        if (b.hash != KvBlock.NO_HASH) {
            numCached--;
        }
    }
}
