package dev.tandem.engine;

import dev.tandem.request.SamplingParams;

/**
 * A request as the API hands it to the engine: prompt ids, sampling and stop rules, how many top
 * logprobs to return per token (-1: no logprobs), its priority (smaller runs first under the
 * priority policy; 0 otherwise), and how many top logprobs to return for each prompt token (-1:
 * no prompt logprobs; see {@link RequestObserver#onPromptLogprobs}).
 */
public record EngineRequest(
        String requestId,
        int[] promptTokens,
        SamplingParams params,
        int numTopLogprobs,
        int priority,
        int numPromptLogprobs) {
    public EngineRequest {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("the prompt is empty");
        }
    }

    public EngineRequest(String requestId, int[] promptTokens, SamplingParams params, int numTopLogprobs) {
        this(requestId, promptTokens, params, numTopLogprobs, 0, -1);
    }
}
