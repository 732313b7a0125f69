package dev.tandem.scheduler;

import dev.tandem.sampling.FinishReason;
import dev.tandem.shard.SampledToken;

/**
 * What one step did for one request: a new token (null when the request only finished, e.g.
 * aborted) and, when it ended, why. cachedPromptTokens is the prefix-cache hit at admission.
 */
public record StepOutput(String requestId, SampledToken token, FinishReason finishReason, int promptTokens,
                         int cachedPromptTokens) {}
