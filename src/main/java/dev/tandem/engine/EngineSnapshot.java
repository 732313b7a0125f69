package dev.tandem.engine;

/**
 * The engine's state as of its last loop, for health checks and gauges on other threads.
 * prefixQueries/prefixHits count prompt tokens looked up in / found in the prefix cache.
 */
public record EngineSnapshot(
        long lastLoopNanos,
        int numRunning,
        int numWaiting,
        int kvBlocksUsed,
        int kvBlocksTotal,
        long prefixQueries,
        long prefixHits) {
    static final EngineSnapshot EMPTY = new EngineSnapshot(System.nanoTime(), 0, 0, 0, 0, 0, 0);
}
