package dev.tandem.shard;

import dev.tandem.model.ForwardBatch;
import dev.tandem.model.ModelConfig;

/**
 * What a shard drives to run a forward step on its device: the CPU backend's {@link ModelRunner}
 * or the OpenVINO backend's runner. Both read and write the same paged KV arena.
 */
public interface StepRunner extends AutoCloseable {
    ModelConfig config();

    int maxBatchTokens();

    int maxLogitTokens();

    /** Runs one batch; the returned buffer holds its logits and is overwritten by the next step. */
    float[] forward(ForwardBatch batch);

    /**
     * Token t's last hidden state (after the final norm) from the step just run, into out[off ..]:
     * what embedding requests pool. Backends without access to it refuse them.
     */
    default void finalHidden(int t, float[] out, int off) {
        throw new UnsupportedOperationException("this backend computes no embeddings (backend cpu does)");
    }

    /** Backend and device, for logs, health data and /v1/devices. */
    String describe();

    /** Called when no step is expected for a while (a round trip at least): stop spinning threads. */
    default void rest() {}

    @Override
    void close();
}
