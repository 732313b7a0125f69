package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.engine.Engine;
import java.util.List;

/**
 * Text inputs as completions and embeddings take them: a string, an array of strings, an array
 * of token ids, or an array of arrays of ids; each becomes token ids (and its text, to echo).
 */
final class PromptInput {
    private PromptInput() {}

    static void read(
            String field, JsonNode prompt, Engine engine, int maxItems, List<int[]> prompts, List<String> texts) {
        if (prompt == null || prompt.isNull()) {
            throw ApiException.invalid(field, "'" + field + "' is required");
        }
        if (prompt.isTextual()) {
            addText(field, prompt.asText(), engine, prompts, texts);
        } else if (prompt.isArray() && !prompt.isEmpty()) {
            JsonNode first = prompt.get(0);
            if (first.isTextual()) {
                for (JsonNode p : prompt) {
                    if (!p.isTextual()) {
                        throw ApiException.invalid(
                                field, "an array must hold only strings, only token ids, or only arrays of token ids");
                    }
                    addText(field, p.asText(), engine, prompts, texts);
                }
            } else if (first.isNumber()) {
                addIds(field, prompt, engine, prompts, texts);
            } else if (first.isArray()) {
                for (JsonNode p : prompt) {
                    if (!p.isArray()) {
                        throw ApiException.invalid(
                                field, "an array must hold only strings, only token ids, or only arrays of token ids");
                    }
                    addIds(field, p, engine, prompts, texts);
                }
            } else {
                throw ApiException.invalid(
                        field, "'" + field + "' must be a string, an array of strings, or token ids");
            }
        } else {
            throw ApiException.invalid(
                    field, "'" + field + "' must be a non-empty string, array of strings, or token ids");
        }
        if (prompts.size() > maxItems) {
            throw ApiException.invalid(field, "at most " + maxItems + " inputs per request");
        }
    }

    private static void addText(String field, String text, Engine engine, List<int[]> prompts, List<String> texts) {
        int[] ids = engine.tokenizer().encode(text, true);
        if (ids.length == 0) {
            throw ApiException.invalid(field, "the prompt is empty");
        }
        prompts.add(ids);
        texts.add(text);
    }

    private static void addIds(String field, JsonNode array, Engine engine, List<int[]> prompts, List<String> texts) {
        int vocab = engine.config().vocabSize();
        if (array.isEmpty()) {
            throw ApiException.invalid(field, "the prompt is empty");
        }
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            JsonNode x = array.get(i);
            if (!x.isIntegralNumber() || !x.canConvertToInt() || x.asInt() < 0 || x.asInt() >= vocab) {
                throw ApiException.invalid(field, "token ids must be integers in [0, " + vocab + "), got " + x);
            }
            ids[i] = x.asInt();
        }
        prompts.add(ids);
        texts.add(engine.tokenizer().decode(ids, false));
    }
}
