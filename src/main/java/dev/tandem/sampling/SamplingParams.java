package dev.tandem.sampling;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How one sequence picks its next tokens and when it stops. temperature 0 means greedy.
 * topK 0 and topP 1 and minP 0 disable those filters; penalties of 0 (repetition 1) do nothing.
 * grammar, when present, is what the output must match (structured output, tool calls); the
 * shard that samples compiles it against its vocabulary.
 */
public record SamplingParams(
        float temperature,
        float topP,
        int topK,
        float minP,
        OptionalLong seed,
        float presencePenalty,
        float frequencyPenalty,
        float repetitionPenalty,
        Map<Integer, Float> logitBias,
        int maxTokens,
        int minTokens,
        boolean ignoreEos,
        List<Integer> stopTokenIds,
        List<String> stopStrings,
        Optional<OutputGrammar> grammar) {

    /** Parameters without a grammar. */
    public SamplingParams(float temperature, float topP, int topK, float minP, OptionalLong seed, float presencePenalty,
                          float frequencyPenalty, float repetitionPenalty, Map<Integer, Float> logitBias, int maxTokens,
                          int minTokens, boolean ignoreEos, List<Integer> stopTokenIds, List<String> stopStrings) {
        this(temperature, topP, topK, minP, seed, presencePenalty, frequencyPenalty, repetitionPenalty, logitBias, maxTokens,
                minTokens, ignoreEos, stopTokenIds, stopStrings, Optional.empty());
    }

    public SamplingParams {
        require(temperature >= 0, "temperature must be >= 0");
        require(topP > 0 && topP <= 1, "top_p must be in (0, 1]");
        require(topK >= 0, "top_k must be >= 0 (0 disables it)");
        require(minP >= 0 && minP <= 1, "min_p must be in [0, 1]");
        require(presencePenalty >= -2 && presencePenalty <= 2, "presence_penalty must be in [-2, 2]");
        require(frequencyPenalty >= -2 && frequencyPenalty <= 2, "frequency_penalty must be in [-2, 2]");
        require(repetitionPenalty > 0, "repetition_penalty must be > 0");
        require(maxTokens >= 1, "max_tokens must be >= 1");
        require(minTokens >= 0 && minTokens <= maxTokens, "min_tokens must be in [0, max_tokens]");
        logitBias = Map.copyOf(logitBias);
        stopTokenIds = List.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            require(!s.isEmpty(), "stop strings must not be empty");
        }
    }

    public static SamplingParams greedy(int maxTokens) {
        return new SamplingParams(0f, 1f, 0, 0f, OptionalLong.empty(), 0f, 0f, 1f, Map.of(), maxTokens, 0, false,
                List.of(), List.of());
    }

    public boolean isGreedy() {
        return temperature == 0f;
    }

    /** Whether this token ends generation: a stop token id, or an EOS id unless ignore_eos. Its text is never shown. */
    public boolean isStopToken(int token, List<Integer> eosTokenIds) {
        return stopTokenIds.contains(token) || (!ignoreEos && eosTokenIds.contains(token));
    }

    public boolean hasPenalties() {
        return presencePenalty != 0f || frequencyPenalty != 0f || repetitionPenalty != 1f;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
