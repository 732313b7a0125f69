package dev.tandem.scheduler;

import dev.tandem.shard.StepKind;

/** Hears about every step and preemption (the metrics implement it); called on the engine thread. */
public interface StepListener {
    StepListener NONE = new StepListener() {};

    default void onStep(StepKind kind, int numTokens, int numSequences, long durationNanos) {}

    default void onPreemption() {}
}
