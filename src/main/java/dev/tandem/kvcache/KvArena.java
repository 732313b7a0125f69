package dev.tandem.kvcache;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The one off-heap region that holds every KV block. Today it is anonymous memory; the shard
 * issue backs it with a /dev/shm segment mapped by both shards, without changing the layout.
 */
public final class KvArena implements AutoCloseable {
    private final Arena arena;
    private final MemorySegment segment;

    public KvArena(long bytes) {
        this.arena = Arena.ofShared();
        this.segment = arena.allocate(bytes, 64);
    }

    public MemorySegment segment() {
        return segment;
    }

    @Override
    public void close() {
        arena.close();
    }
}
