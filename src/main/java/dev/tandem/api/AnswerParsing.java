package dev.tandem.api;

import dev.tandem.tools.AnswerParser;
import dev.tandem.tools.ToolFormat;

/**
 * How a chat answer is taken apart: calls in format (null: the request offers no tools), reasoning
 * in {@code <think>} tags (startsThinking: the prompt already opened them), the model's markers.
 */
record AnswerParsing(ToolFormat format, boolean reasoning, boolean startsThinking, ToolStyle style) {
    /** Null where there is nothing to take apart: the answer is all content, as generated. */
    static AnswerParsing of(ToolFormat format, boolean reasoning, boolean startsThinking, ToolStyle style) {
        return format == null && !reasoning ? null : new AnswerParsing(format, reasoning, startsThinking, style);
    }

    AnswerParser newParser() {
        return new AnswerParser(format, reasoning, startsThinking);
    }
}
