package dev.tandem.request;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How one sequence picks its next tokens and when it stops. temperature 0 means greedy.
 * topK 0 and topP 1 and minP 0 disable those filters; penalties of 0 (repetition 1) do nothing.
 * grammar, when present, is what the output must match (structured output, tool calls); the
 * shard that samples compiles it against its vocabulary. pooling, when present, makes it an
 * embedding request: its prompt is computed and the pooled, L2-normalized hidden state comes back
 * in place of a token (maxTokens is then 1).
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
        Optional<OutputGrammar> grammar,
        Optional<Pooling> pooling) {

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
        require(pooling.isEmpty() || maxTokens == 1, "an embedding request computes one vector (max_tokens 1)");
        logitBias = Map.copyOf(logitBias);
        stopTokenIds = List.copyOf(stopTokenIds);
        stopStrings = List.copyOf(stopStrings);
        for (String s : stopStrings) {
            require(!s.isEmpty(), "stop strings must not be empty");
        }
    }

    public static SamplingParams greedy(int maxTokens) {
        return builder().temperature(0f).maxTokens(maxTokens).build();
    }

    /** Parameters that sample from the whole distribution (temperature 1, no filters, no penalties) for 16 tokens. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder that starts from these parameters. */
    public Builder toBuilder() {
        return new Builder()
                .temperature(temperature)
                .topP(topP)
                .topK(topK)
                .minP(minP)
                .seed(seed)
                .presencePenalty(presencePenalty)
                .frequencyPenalty(frequencyPenalty)
                .repetitionPenalty(repetitionPenalty)
                .logitBias(logitBias)
                .maxTokens(maxTokens)
                .minTokens(minTokens)
                .ignoreEos(ignoreEos)
                .stopTokenIds(stopTokenIds)
                .stopStrings(stopStrings)
                .grammar(grammar)
                .pooling(pooling);
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

    /**
     * Named fields for {@link SamplingParams}, defaulting to what the OpenAI API does when a field is
     * left out (temperature 1, 16 tokens); build() checks the values.
     */
    public static final class Builder {
        private float temperature = 1f;
        private float topP = 1f;
        private int topK = 0;
        private float minP = 0f;
        private OptionalLong seed = OptionalLong.empty();
        private float presencePenalty = 0f;
        private float frequencyPenalty = 0f;
        private float repetitionPenalty = 1f;
        private Map<Integer, Float> logitBias = Map.of();
        private int maxTokens = 16;
        private int minTokens = 0;
        private boolean ignoreEos = false;
        private List<Integer> stopTokenIds = List.of();
        private List<String> stopStrings = List.of();
        private Optional<OutputGrammar> grammar = Optional.empty();
        private Optional<Pooling> pooling = Optional.empty();

        Builder() {}

        public Builder temperature(float temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topP(float topP) {
            this.topP = topP;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder minP(float minP) {
            this.minP = minP;
            return this;
        }

        public Builder seed(OptionalLong seed) {
            this.seed = seed;
            return this;
        }

        public Builder presencePenalty(float presencePenalty) {
            this.presencePenalty = presencePenalty;
            return this;
        }

        public Builder frequencyPenalty(float frequencyPenalty) {
            this.frequencyPenalty = frequencyPenalty;
            return this;
        }

        public Builder repetitionPenalty(float repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return this;
        }

        public Builder logitBias(Map<Integer, Float> logitBias) {
            this.logitBias = logitBias;
            return this;
        }

        public Builder maxTokens(int maxTokens) {
            this.maxTokens = maxTokens;
            return this;
        }

        public Builder minTokens(int minTokens) {
            this.minTokens = minTokens;
            return this;
        }

        public Builder ignoreEos(boolean ignoreEos) {
            this.ignoreEos = ignoreEos;
            return this;
        }

        public Builder stopTokenIds(List<Integer> stopTokenIds) {
            this.stopTokenIds = stopTokenIds;
            return this;
        }

        public Builder stopStrings(List<String> stopStrings) {
            this.stopStrings = stopStrings;
            return this;
        }

        public Builder grammar(Optional<OutputGrammar> grammar) {
            this.grammar = grammar;
            return this;
        }

        /** A fixed seed: the same request gives the same tokens. */
        public Builder seed(long seed) {
            return seed(OptionalLong.of(seed));
        }

        public Builder pooling(Optional<Pooling> pooling) {
            this.pooling = pooling;
            return this;
        }

        public Builder grammar(OutputGrammar grammar) {
            return grammar(Optional.of(grammar));
        }

        public SamplingParams build() {
            return new SamplingParams(
                    temperature,
                    topP,
                    topK,
                    minP,
                    seed,
                    presencePenalty,
                    frequencyPenalty,
                    repetitionPenalty,
                    logitBias,
                    maxTokens,
                    minTokens,
                    ignoreEos,
                    stopTokenIds,
                    stopStrings,
                    grammar,
                    pooling);
        }
    }
}
