package dev.tandem.kvcache;

/**
 * One physical KV block's bookkeeping. A block with a hash holds a full block of known tokens
 * and may be shared read-only; refCount counts the sequences using it. Only the pool changes it.
 */
final class KvBlock {
    final int id;
    int refCount;
    /** Chained hash of the block's tokens and all before it, or NO_HASH while it is not a cached full block. */
    long hash = NO_HASH;
    /** The block's token ids, kept to confirm a hash hit so a collision can never serve wrong KV. */
    int[] tokens;
    /** Links of the free queue (eviction order), null when not in it. */
    KvBlock prevFree;

    KvBlock nextFree;
    boolean inFreeQueue;

    static final long NO_HASH = Long.MIN_VALUE;

    KvBlock(int id) {
        this.id = id;
    }
}
