package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.engine.Engine;
import dev.tandem.request.OutputGrammar;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Validates a {@code /v1/completions} body: prompt as text, texts, token ids or lists of ids. */
final class CompletionsParser {
    private static final Set<String> NAMES = new HashSet<>(SamplingFields.NAMES);

    static {
        NAMES.addAll(List.of("prompt", "echo", "suffix", "prompt_logprobs"));
        NAMES.addAll(StructuredOutputFields.NAMES);
    }

    private CompletionsParser() {}

    static GenerationRequest parse(JsonNode body, Engine engine) {
        RequestFields f = new RequestFields(body, NAMES);
        String model = ModelNames.check(f, engine);
        if (f.has("suffix")) {
            throw ApiException.unsupported("suffix", "'suffix'");
        }
        boolean stream = f.bool("stream", false);
        boolean includeUsage = SamplingFields.includeUsage(f, stream);
        boolean echo = f.bool("echo", false);
        int topLogprobs = (int) f.integer("logprobs", -1, 0, 20);
        int promptLogprobs = (int) f.integer("prompt_logprobs", -1, 0, 20);
        List<int[]> prompts = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        PromptInput.read("prompt", f.node("prompt"), engine, 64, prompts, texts);
        int n = SamplingFields.n(f);
        java.util.Optional<OutputGrammar> grammar =
                StructuredOutputFields.grammar(f).map(OutputGrammar::whole);
        if ((long) n * prompts.size() > 128) {
            throw ApiException.invalid("n", "at most 128 choices per request (prompts x n)");
        }
        List<ChoiceInput> choices = new ArrayList<>();
        for (int p = 0; p < prompts.size(); p++) {
            int maxTokens = SamplingFields.maxTokens(f, "max_tokens", 16, prompts.get(p).length, engine.maxModelLen());
            for (int i = 0; i < n; i++) {
                choices.add(new ChoiceInput(
                        p * n + i,
                        p,
                        prompts.get(p),
                        SamplingFields.parse(
                                f,
                                maxTokens,
                                SamplingFields.seed(f, i),
                                engine.config().vocabSize(),
                                grammar),
                        echo ? texts.get(p) : null));
            }
        }
        return new GenerationRequest(
                model,
                choices,
                prompts.size(),
                stream,
                includeUsage,
                topLogprobs,
                null,
                SamplingFields.priority(f, engine),
                promptLogprobs);
    }
}
