package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.request.SamplingParams;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/** The sampling fields both endpoints share, validated into {@link SamplingParams}. */
final class SamplingFields {
    static final Set<String> NAMES = Set.of(
            "model",
            "stream",
            "stream_options",
            "n",
            "temperature",
            "top_p",
            "max_tokens",
            "stop",
            "seed",
            "presence_penalty",
            "frequency_penalty",
            "logit_bias",
            "user",
            "top_k",
            "min_p",
            "repetition_penalty",
            "ignore_eos",
            "min_tokens",
            "logprobs",
            "best_of",
            "stop_token_ids",
            "priority");

    private SamplingFields() {}

    /** Validated parameters for one choice; maxTokens already resolved against the prompt and context. */
    static SamplingParams parse(
            RequestFields f,
            int maxTokens,
            long seed,
            int vocabSize,
            java.util.Optional<dev.tandem.request.OutputGrammar> grammar) {
        boolean ignoreEos = f.bool("ignore_eos", false);
        if (grammar.isPresent() && ignoreEos) {
            throw ApiException.invalid(
                    "ignore_eos",
                    "'ignore_eos' cannot be combined with structured output: the grammar decides"
                            + " where the output ends");
        }
        int minTokens = (int) f.integer("min_tokens", 0, 0, maxTokens);
        long topK = f.integer("top_k", 0, -1, vocabSize);
        return SamplingParams.builder()
                .temperature((float) f.number("temperature", 1.0, 0, 2))
                .topP((float) f.number("top_p", 1.0, Double.MIN_VALUE, 1))
                .topK(topK < 0 ? 0 : (int) topK)
                .minP((float) f.number("min_p", 0, 0, 1))
                .seed(seed)
                .presencePenalty((float) f.number("presence_penalty", 0, -2, 2))
                .frequencyPenalty((float) f.number("frequency_penalty", 0, -2, 2))
                .repetitionPenalty((float) f.number("repetition_penalty", 1, Double.MIN_VALUE, 10))
                .logitBias(logitBias(f, vocabSize))
                .maxTokens(maxTokens)
                .minTokens(minTokens)
                .ignoreEos(ignoreEos)
                .stopTokenIds(stopTokenIds(f, vocabSize))
                .stopStrings(f.strings("stop", 16))
                .grammar(grammar)
                .build();
    }

    /**
     * The request's priority (vLLM's extension: smaller runs first). Only a server started with
     * the priority policy takes a non-zero one, as vLLM: under fcfs it would silently mean nothing.
     */
    static int priority(RequestFields f, dev.tandem.engine.Engine engine) {
        int priority = (int) f.integer("priority", 0, Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (priority != 0 && !engine.takesPriorities()) {
            throw ApiException.invalid(
                    "priority",
                    "'priority' needs a server started with --scheduling-policy priority; this one serves"
                            + " first come, first served");
        }
        return priority;
    }

    /** The seed of choice i: the request's seed + i when given, else a random one (still per-token reproducible). */
    static long seed(RequestFields f, int choice) {
        return f.has("seed")
                ? f.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE) + choice
                : ThreadLocalRandom.current().nextLong();
    }

    /** max_tokens (or its chat alias) checked against the context left after the prompt, as vLLM does. */
    static int maxTokens(RequestFields f, String name, Integer fallback, int promptTokens, int maxModelLen) {
        int room = maxModelLen - promptTokens;
        if (room <= 0) {
            throw ApiException.invalid(
                    "messages".equals(name) ? name : null,
                    "This model's maximum context length is " + maxModelLen + " tokens. However, your prompt has "
                            + promptTokens + " tokens.");
        }
        if (!f.has(name)) {
            return fallback == null ? room : Math.min(fallback, room);
        }
        long requested = f.integer(name, 0, 1, Integer.MAX_VALUE);
        if (requested > room) {
            throw ApiException.invalid(
                    name,
                    "This model's maximum context length is " + maxModelLen + " tokens. However, you"
                            + " requested " + (promptTokens + requested) + " tokens (" + promptTokens
                            + " in the prompt, " + requested
                            + " for the completion). Please reduce the length of the prompt or '" + name + "'.");
        }
        return (int) requested;
    }

    static int n(RequestFields f) {
        int n = (int) f.integer("n", 1, 1, 128);
        if (f.has("best_of") && f.integer("best_of", n, n, n) != n) {
            throw ApiException.unsupported("best_of", "best_of other than n");
        }
        return n;
    }

    static boolean includeUsage(RequestFields f, boolean stream) {
        JsonNode o = f.node("stream_options");
        if (o == null || o.isNull()) {
            return false;
        }
        if (!o.isObject() || (o.has("include_usage") && !o.get("include_usage").isBoolean())) {
            throw ApiException.invalid(
                    "stream_options", "'stream_options' must be an object with a boolean 'include_usage'");
        }
        if (!stream) {
            throw ApiException.invalid("stream_options", "'stream_options' is only allowed when 'stream' is true");
        }
        return o.path("include_usage").asBoolean(false);
    }

    private static Map<Integer, Float> logitBias(RequestFields f, int vocabSize) {
        JsonNode n = f.node("logit_bias");
        Map<Integer, Float> out = new HashMap<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isObject()) {
            throw ApiException.invalid("logit_bias", "'logit_bias' must map token ids to numbers");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            int id;
            try {
                id = Integer.parseInt(e.getKey());
            } catch (NumberFormatException x) {
                throw ApiException.invalid("logit_bias", "logit_bias key '" + e.getKey() + "' is not a token id");
            }
            if (id < 0
                    || id >= vocabSize
                    || !e.getValue().isNumber()
                    || Math.abs(e.getValue().asDouble()) > 100) {
                throw ApiException.invalid(
                        "logit_bias",
                        "logit_bias entries need token ids in [0, " + vocabSize + ") and values in [-100, 100]");
            }
            out.put(id, (float) e.getValue().asDouble());
        }
        return out;
    }

    private static List<Integer> stopTokenIds(RequestFields f, int vocabSize) {
        JsonNode n = f.node("stop_token_ids");
        if (n == null || n.isNull()) {
            return List.of();
        }
        if (!n.isArray()) {
            throw ApiException.invalid("stop_token_ids", "'stop_token_ids' must be an array of token ids");
        }
        List<Integer> out = new java.util.ArrayList<>();
        for (JsonNode x : n) {
            if (!x.canConvertToInt() || !x.isIntegralNumber() || x.asInt() < 0 || x.asInt() >= vocabSize) {
                throw ApiException.invalid("stop_token_ids", "token ids must be integers in [0, " + vocabSize + ")");
            }
            out.add(x.asInt());
        }
        return out;
    }
}
