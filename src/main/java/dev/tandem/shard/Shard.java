package dev.tandem.shard;

import java.util.List;

/**
 * A worker that owns one device and executes steps: embed, layers over the paged KV cache,
 * logits, sampling. The scheduler talks to the prefill and the decode shard only through this.
 */
public interface Shard extends AutoCloseable {
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
