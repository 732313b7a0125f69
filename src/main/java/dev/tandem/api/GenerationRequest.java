package dev.tandem.api;

import java.util.List;

/**
 * A validated completions or chat request: the choices to generate, streaming options, and
 * logprobs (-1: none; otherwise the number of top alternatives per token), and how a chat
 * answer is taken apart into content, reasoning and tool calls (null: it is all content), and the
 * request's scheduling priority. promptLogprobs is vLLM's prompt_logprobs (-1: not asked for); with
 * echo and logprobs the prompt's logprobs lead the choice's logprobs as well.
 */
record GenerationRequest(
        String model,
        List<ChoiceInput> choices,
        int numPrompts,
        boolean stream,
        boolean includeUsage,
        int numTopLogprobs,
        AnswerParsing parsing,
        int priority,
        int promptLogprobs) {
    /** Top logprobs per prompt token the engine computes (-1: none). */
    int numPromptLogprobs(ChoiceInput choice) {
        return Math.max(promptLogprobs, echoesLogprobs(choice) ? numTopLogprobs : -1);
    }

    boolean echoesLogprobs(ChoiceInput choice) {
        return choice.echo() != null && numTopLogprobs >= 0;
    }
}
