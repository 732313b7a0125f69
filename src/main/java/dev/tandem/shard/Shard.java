package dev.tandem.shard;

import java.util.List;

/**
 * A worker that owns one device and executes steps: embed, layers over the paged KV cache,
 * logits, sampling. The scheduler talks to the prefill and the decode shard only through this.
 */
public interface Shard extends AutoCloseable {
    /** A step that has been handed to a shard; its tokens arrive with await. */
    @FunctionalInterface
    interface PendingStep {
        /** The sampled tokens, in order; throws ShardFailedException if the shard died meanwhile. */
        List<SampledToken> await();
    }

    /**
     * Hands the step to the shard and returns without waiting where the shard runs elsewhere, so
     * that the scheduler can have the prefill and the decode shard work at the same time. A shard
     * in this process runs the step when it is awaited: steps are awaited in the order they were
     * started, and the first one's tokens can reach their clients before the second one runs.
     */
    default PendingStep start(StepBatch batch) {
        return () -> execute(batch);
    }

    /** Runs the step and returns a token for every sequence that asked to sample, in order. */
    List<SampledToken> execute(StepBatch batch);

    /** Whether the shard can take steps (its process is up, its model loaded). */
    default boolean isReady() {
        return true;
    }

    /** A short description for logs, health data and /v1/devices. */
    String describe();

    @Override
    void close();
}
