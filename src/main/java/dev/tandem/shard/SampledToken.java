package dev.tandem.shard;

/**
 * A sampled token and, when asked for, its log-probability under the model (before any sampling
 * processors, as OpenAI reports it) and the most likely alternatives. For an embedding request
 * (pooling) the step's one output is its vector instead: embedding set, token 0.
 */
public record SampledToken(
        String requestId, int token, float logprob, int[] topTokens, float[] topLogprobs, float[] embedding) {
    /** The token id of a sample that a decode step cut short ({@link DecodeInterrupt}) did not compute. */
    public static final int NOT_COMPUTED = -1;

    public SampledToken(String requestId, int token, float logprob, int[] topTokens, float[] topLogprobs) {
        this(requestId, token, logprob, topTokens, topLogprobs, null);
    }

    public static SampledToken notComputed(String requestId) {
        return new SampledToken(requestId, NOT_COMPUTED, Float.NaN, null, null);
    }

    public static SampledToken embedding(String requestId, float[] vector) {
        return new SampledToken(requestId, 0, Float.NaN, null, null, vector);
    }

    public boolean isComputed() {
        return token != NOT_COMPUTED;
    }
}
