package dev.tandem.scheduler;

import dev.tandem.request.FinishReason;

/**
 * What one step did for one request: a new token (token is -1 when the request only ended,
 * e.g. aborted), its logprobs when asked for (NaN / null otherwise) and, when it ended, why.
 * cachedPromptTokens is the prefix-cache hit at admission.
 */
public record StepOutput(
        String requestId,
        int token,
        float logprob,
        int[] topTokens,
        float[] topLogprobs,
        FinishReason finishReason,
        int promptTokens,
        int cachedPromptTokens) {
    public boolean hasToken() {
        return token >= 0;
    }
}
