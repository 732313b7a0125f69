package dev.tandem.scheduler;

import dev.tandem.shard.StepKind;

/** Hears about every step, preemption and shard failure (the metrics implement it); called on the engine thread. */
public interface StepListener {
    StepListener NONE = new StepListener() {};

    default void onStep(StepKind kind, int numTokens, int numSequences, long durationNanos) {}

    default void onPreemption() {}

    /** A shard failed; the sequences it held are queued to be computed again. */
    default void onShardFailure(StepKind kind, String reason) {}
}
