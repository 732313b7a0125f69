package dev.tandem.scheduler;

/**
 * A scheduler's queues and its KV cache's usage at one moment: blocks held by requests and in all,
 * prompt tokens looked up in and found in the prefix cache since start.
 */
public record SchedulerStats(
        int numRunning, int numWaiting, int kvBlocksInUse, int kvBlocksTotal, long prefixQueries, long prefixHits) {}
