package dev.tandem.engine;

import dev.tandem.scheduler.SchedulerStats;
import java.util.Map;

/**
 * The engine's state as of its last loop, for health checks and gauges on other threads.
 * prefixQueries/prefixHits count prompt tokens looked up in / found in the prefix cache; byPriority
 * holds the running and waiting requests of each priority under the priority policy.
 */
public record EngineSnapshot(
        long lastLoopNanos,
        int numRunning,
        int numWaiting,
        int kvBlocksUsed,
        int kvBlocksTotal,
        long prefixQueries,
        long prefixHits,
        Map<Integer, SchedulerStats.Counts> byPriority) {
    static final EngineSnapshot EMPTY = new EngineSnapshot(System.nanoTime(), 0, 0, 0, 0, 0, 0, Map.of());
}
