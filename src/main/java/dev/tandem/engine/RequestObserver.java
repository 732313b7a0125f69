package dev.tandem.engine;

/**
 * Receives one request's output, on the engine's thread: implementations must not block.
 * Every request ends with exactly one {@link #onFinish}.
 */
public interface RequestObserver {
    void onToken(GeneratedToken token);

    /** For a request with prompt logprobs: once its prompt is computed, before its first token. */
    default void onPromptLogprobs(PromptLogprobs prompt) {}

    /** For an embedding request: its vector, once its prompt is computed; onFinish follows at once. */
    default void onEmbedding(float[] vector) {}

    void onFinish(RequestSummary summary);
}
