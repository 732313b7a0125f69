package dev.tandem.shard;

/**
 * A sampled token and, when asked for, its log-probability under the model (before any sampling
 * processors, as OpenAI reports it) and the most likely alternatives.
 */
public record SampledToken(String requestId, int token, float logprob, int[] topTokens, float[] topLogprobs) {
    /** The token id of a sample that a decode step cut short ({@link DecodeInterrupt}) did not compute. */
    public static final int NOT_COMPUTED = -1;

    public static SampledToken notComputed(String requestId) {
        return new SampledToken(requestId, NOT_COMPUTED, Float.NaN, null, null);
    }

    public boolean isComputed() {
        return token != NOT_COMPUTED;
    }
}
