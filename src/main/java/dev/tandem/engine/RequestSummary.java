package dev.tandem.engine;

import dev.tandem.request.FinishReason;

/** How a request ended: the reason, the text still held back (released now), and its token counts. */
public record RequestSummary(
        FinishReason finishReason, String finalText, int promptTokens, int completionTokens, int cachedPromptTokens) {}
