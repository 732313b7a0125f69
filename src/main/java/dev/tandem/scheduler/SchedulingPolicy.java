package dev.tandem.scheduler;

/**
 * Which waiting request runs next. FCFS: arrival order. PRIORITY: the smallest priority first
 * (vLLM's rule), arrival order among equals, with aging ({@link PriorityOrder}) so that a low
 * priority waits a bounded time; when the KV pool runs out, the lowest-ranked running request is
 * preempted first, also to admit a waiting request that outranks it.
 */
public enum SchedulingPolicy {
    FCFS,
    PRIORITY
}
