package dev.tandem.engine;

import dev.tandem.request.SamplingParams;

/**
 * A request as the API hands it to the engine: prompt ids, sampling and stop rules, and how
 * many top logprobs to return per token (-1: no logprobs).
 */
public record EngineRequest(String requestId, int[] promptTokens, SamplingParams params, int numTopLogprobs) {
    public EngineRequest {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
    }
}
