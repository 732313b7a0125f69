package dev.tandem.api;

import java.util.List;

/**
 * A validated completions or chat request: the choices to generate, streaming options, and
 * logprobs (-1: none; otherwise the number of top alternatives per token), and how a chat
 * answer is taken apart into content, reasoning and tool calls (null: it is all content), and the
 * request's scheduling priority.
 */
record GenerationRequest(
        String model,
        List<ChoiceInput> choices,
        int numPrompts,
        boolean stream,
        boolean includeUsage,
        int numTopLogprobs,
        AnswerParsing parsing,
        int priority) {}
