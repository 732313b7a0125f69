package dev.tandem.scheduler;

import dev.tandem.request.FinishReason;

/**
 * What one step did for one request: a new token (token is -1 when the request only ended,
 * e.g. aborted), its logprobs when asked for (NaN / null otherwise) and, when it ended, why.
 * cachedPromptTokens is the prefix-cache hit at admission. With promptPosition >= 0 it is no new
 * token but the logprob of the prompt's token at that position (prompt logprobs). An embedding
 * request's one output carries its vector (embedding, else null).
 */
public record StepOutput(
        String requestId,
        int token,
        float logprob,
        int[] topTokens,
        float[] topLogprobs,
        FinishReason finishReason,
        int promptTokens,
        int cachedPromptTokens,
        int promptPosition,
        float[] embedding) {
    public boolean hasToken() {
        return token >= 0 && promptPosition < 0;
    }
}
