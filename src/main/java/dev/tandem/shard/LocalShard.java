package dev.tandem.shard;

import dev.tandem.model.ForwardBatch;
import dev.tandem.sampling.Sampler;
import dev.tandem.sampling.SequenceSampling;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A shard that runs its steps in this process, on the runner of its backend (CPU, or OpenVINO on
 * the NPU or GPU). Every token of a step goes through the model in one forward pass (one read of
 * the weights for the whole batch); each sequence's attention uses its own block table. Keeps per-request sampling state, created from
 * {@link NewRequest} and advanced by the output tokens it is fed.
 */
public final class LocalShard implements Shard {
    private final String name;
    private final StepRunner runner;
    private final List<Integer> eosTokenIds;
    private final int vocab;
    private final Sampler sampler;
    private final LogprobCalculator logprobs;
    private final Map<String, RequestState> states = new HashMap<>();
    private final int[] tokens, positions, sequenceOfToken, logitTokens;
    private final int[][] tables;

    private static final class RequestState {
        final NewRequest request;
        final SequenceSampling sampling;
        int numKnownTokens;

        RequestState(NewRequest request, int vocab) {
            this.request = request;
            this.sampling = new SequenceSampling(request.params(), vocab, request.promptTokens());
            for (int t : request.outputTokens()) {
                sampling.accept(t);
            }
            this.numKnownTokens = request.promptTokens().length + request.outputTokens().length;
        }
    }

    public LocalShard(String name, StepRunner runner, List<Integer> eosTokenIds) {
        this.name = name;
        this.runner = runner;
        this.eosTokenIds = List.copyOf(eosTokenIds);
        this.vocab = runner.config().vocabSize();
        this.sampler = new Sampler(vocab);
        this.logprobs = new LogprobCalculator(vocab);
        int maxTokens = runner.maxBatchTokens();
        int maxSequences = runner.maxLogitTokens();
        tokens = new int[maxTokens];
        positions = new int[maxTokens];
        sequenceOfToken = new int[maxTokens];
        logitTokens = new int[maxSequences];
        tables = new int[maxTokens][];
    }

    @Override
    public List<SampledToken> execute(StepBatch batch) {
        for (String id : batch.finishedRequestIds()) {
            states.remove(id);
        }
        List<SequenceStep> seqs = batch.sequences();
        if (seqs.isEmpty()) {
            return List.of();
        }
        if (batch.numTokens() > tokens.length || seqs.size() > tables.length) {
            throw new IllegalArgumentException(name + ": step of " + batch.numTokens() + " tokens / " + seqs.size()
                    + " sequences exceeds " + tokens.length + " tokens");
        }
        int n = 0;
        int numLogits = 0;
        RequestState[] sampled = new RequestState[seqs.size()];
        for (int i = 0; i < seqs.size(); i++) {
            SequenceStep s = seqs.get(i);
            if (s.newRequest() != null) {
                states.put(s.requestId(), new RequestState(s.newRequest(), vocab));
            }
            RequestState st = states.get(s.requestId());
            if (st == null) {
                throw new IllegalStateException(name + ": step for unknown request " + s.requestId());
            }
            for (int k = 0; k < s.tokens().length; k++) {
                int pos = s.startPosition() + k;
                if (pos >= st.numKnownTokens) {
                    st.sampling.accept(s.tokens()[k]);
                    st.numKnownTokens = pos + 1;
                }
                tokens[n] = s.tokens()[k];
                positions[n] = pos;
                sequenceOfToken[n] = i;
                n++;
            }
            tables[i] = s.blockTable();
            if (s.sample()) {
                if (numLogits == logitTokens.length) {
                    throw new IllegalArgumentException(name + ": more than " + logitTokens.length + " sequences sample in one step");
                }
                sampled[numLogits] = st;
                logitTokens[numLogits++] = n - 1;
            }
        }
        float[] logits = runner.forward(new ForwardBatch(n, tokens, positions, sequenceOfToken, tables, numLogits, logitTokens));
        List<SampledToken> out = new ArrayList<>(numLogits);
        for (int r = 0; r < numLogits; r++) {
            RequestState st = sampled[r];
            int off = r * vocab;
            int top = st.request.numTopLogprobs();
            if (top >= 0) {
                logprobs.capture(logits, off, top);
            }
            int token = sampler.sample(logits, off, st.sampling, eosTokenIds);
            out.add(top >= 0 ? logprobs.result(st.request.requestId(), token)
                    : new SampledToken(st.request.requestId(), token, Float.NaN, null, null));
        }
        return out;
    }

    @Override
    public String describe() {
        return name + ", " + runner.describe();
    }

    @Override
    public void close() {
        states.clear();
    }
}
