package dev.tandem.scheduler;

import java.util.Map;

/**
 * A scheduler's queues and its KV cache's usage at one moment: blocks held by requests and in all,
 * prompt tokens looked up in and found in the prefix cache since start, and under the priority
 * policy the running and waiting requests of each priority value (empty under fcfs).
 */
public record SchedulerStats(
        int numRunning,
        int numWaiting,
        int kvBlocksInUse,
        int kvBlocksTotal,
        long prefixQueries,
        long prefixHits,
        Map<Integer, Counts> byPriority) {
    public record Counts(int running, int waiting) {}
}
