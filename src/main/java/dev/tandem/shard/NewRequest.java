package dev.tandem.shard;

import dev.tandem.request.SamplingParams;

/**
 * What a shard needs to know of a request the first time it sees it (and again after a
 * preemption): the prompt and outputs so far (for penalties), the sampling parameters (with a
 * seed), how many top logprobs to return per token (0 for none, -1 for no logprobs at all), and
 * the same for the prompt's own tokens (-1: none; otherwise every prompt token after the first
 * comes back with its logprob before the step's samples, see {@link PromptScorer}).
 */
public record NewRequest(
        String requestId,
        int[] promptTokens,
        int[] outputTokens,
        SamplingParams params,
        int numTopLogprobs,
        int numPromptLogprobs) {
    public NewRequest(
            String requestId, int[] promptTokens, int[] outputTokens, SamplingParams params, int numTopLogprobs) {
        this(requestId, promptTokens, outputTokens, params, numTopLogprobs, -1);
    }

    /** How many prompt logprobs a step of numTokens tokens from startPosition returns first: one per prompt token it predicts. */
    public int numScored(int startPosition, int numTokens) {
        return numScored(numPromptLogprobs, promptTokens.length, startPosition, numTokens);
    }

    /** As {@link #numScored(int, int)} for a request of this many prompt logprobs (-1: none) and prompt tokens. */
    public static int numScored(int numPromptLogprobs, int promptLength, int startPosition, int numTokens) {
        return numPromptLogprobs < 0
                ? 0
                : Math.max(0, Math.min(startPosition + numTokens, promptLength - 1) - startPosition);
    }
}
