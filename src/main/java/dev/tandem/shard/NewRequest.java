package dev.tandem.shard;

import dev.tandem.request.SamplingParams;

/**
 * What a shard needs to know of a request the first time it sees it (and again after a
 * preemption): the prompt and outputs so far (for penalties), the sampling parameters (with a
 * seed), and how many top logprobs to return per token (0 for none, -1 for no logprobs at all).
 */
public record NewRequest(
        String requestId, int[] promptTokens, int[] outputTokens, SamplingParams params, int numTopLogprobs) {}
