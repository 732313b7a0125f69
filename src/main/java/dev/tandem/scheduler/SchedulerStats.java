package dev.tandem.scheduler;

import dev.tandem.kvcache.KvCacheManager;

/** A scheduler's queues and its KV cache's usage at one moment. */
public record SchedulerStats(int numRunning, int numWaiting, KvCacheManager.Usage kv) {}
