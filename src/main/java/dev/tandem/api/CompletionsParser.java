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
        readPrompts(f.node("prompt"), engine, prompts, texts);
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

    private static void readPrompts(JsonNode prompt, Engine engine, List<int[]> prompts, List<String> texts) {
        if (prompt == null || prompt.isNull()) {
            throw ApiException.invalid("prompt", "'prompt' is required");
        }
        if (prompt.isTextual()) {
            addText(prompt.asText(), engine, prompts, texts);
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            JsonNode first = prompt.get(0);
            if (first.isTextual()) {
                for (JsonNode p : prompt) {
                    if (!p.isTextual()) {
                        throw ApiException.invalid(
                                "prompt",
                                "a prompt array must hold only strings, only token ids, or only arrays of token ids");
                    }
                    addText(p.asText(), engine, prompts, texts);
                }
            } else if (first.isNumber()) {
                addIds(prompt, engine, prompts, texts);
            } else if (first.isArray()) {
                for (JsonNode p : prompt) {
                    if (!p.isArray()) {
                        throw ApiException.invalid(
                                "prompt",
                                "a prompt array must hold only strings, only token ids, or only arrays of token ids");
                    }
                    addIds(p, engine, prompts, texts);
                }
            } else {
                throw ApiException.invalid("prompt", "'prompt' must be a string, an array of strings, or token ids");
            }
        } else {
            throw ApiException.invalid("prompt", "'prompt' must be a non-empty string, array of strings, or token ids");
        }
        if (prompts.size() > 64) {
            throw ApiException.invalid("prompt", "at most 64 prompts per request");
        }
    }

    private static void addText(String text, Engine engine, List<int[]> prompts, List<String> texts) {
        int[] ids = engine.tokenizer().encode(text, true);
        if (ids.length == 0) {
            throw ApiException.invalid("prompt", "the prompt is empty");
        }
        prompts.add(ids);
        texts.add(text);
    }

    private static void addIds(JsonNode array, Engine engine, List<int[]> prompts, List<String> texts) {
        int vocab = engine.config().vocabSize();
        if (array.isEmpty()) {
            throw ApiException.invalid("prompt", "the prompt is empty");
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode x = array.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToInt() || x.asInt() < 0 || x.asInt() >= vocab) {
                throw ApiException.invalid("prompt", "token ids must be integers in [0, " + vocab + "), got " + x);
            }
            ids[i] = x.asInt();
        }
        prompts.add(ids);
        texts.add(engine.tokenizer().decode(ids, false));
    }
}
