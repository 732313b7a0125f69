package dev.tandem.shard;

/**
 * A sampled token and, when asked for, its log-probability under the model (before any sampling
 * processors, as OpenAI reports it) and the most likely alternatives.
 */
public record SampledToken(String requestId, int token, float logprob, int[] topTokens, float[] topLogprobs) {}
