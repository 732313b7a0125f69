package dev.tandem.shard;

import dev.tandem.grammar.Grammars;
import dev.tandem.model.ForwardBatch;
import dev.tandem.sampling.Sampler;
import dev.tandem.sampling.SequenceSampling;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A shard that runs its steps in this process, on the runner of its backend (CPU, or OpenVINO on
 * the NPU or GPU). Every token of a step goes through the model in one forward pass (one read of
 * the weights for the whole batch); each sequence's attention uses its own block table. Keeps
 * per-request state, created from {@link NewRequest}: the tokens (those it samples become the inputs
 * of the next step), the block table (steps bring only its new blocks), and the sampling state,
 * advanced by the output tokens it is fed. Tokens come back sequence by sequence, each sequence's numSamples in order; when the
 * {@link DecodeInterrupt} cuts a step of several rounds short, the samples of the rounds not run
 * come back as {@link SampledToken#notComputed}.
 */
public final class LocalShard implements Shard {
    private final String name;
    private final StepRunner runner;
    private final List<Integer> eosTokenIds;
    private final DecodeInterrupt interrupt;
    private final Grammars grammars;
    private final int vocab;
    private final Sampler sampler;
    private final LogprobCalculator logprobs;
    private final PromptScorer scorer;
    private final EmbeddingPooler pooler;
    private final Map<String, RequestState> states = new HashMap<>();
    private final int[] tokens,
            positions,
            sequenceOfToken,
            logitTokens,
            sampledSequence,
            firstOutput,
            numScored,
            firstToken;
    private final int[][] tables;
    private final RequestState[] state;

    /** What the shard keeps of a request between steps: its tokens, its block table, its sampling state. */
    private static final class RequestState {
        final NewRequest request;
        final SequenceSampling sampling;
        int numAccepted;
        int[] tokens;
        int numTokens;
        int[] blockTable = new int[0];
        /** An embedding request's pooled hidden states so far; null for generation. */
        final double[] pool;

        RequestState(NewRequest request, int vocab, int hiddenSize, Grammars grammars) {
            this.request = request;
            // A preempted or recovered request replays its outputs, which brings its grammar to where it was.
            this.sampling = new SequenceSampling(
                    request.params(),
                    vocab,
                    request.promptTokens(),
                    request.params().grammar().map(grammars::constraint).orElse(null));
            for (int t : request.outputTokens()) {
                sampling.accept(t);
            }
            numTokens = request.promptTokens().length + request.outputTokens().length;
            tokens = Arrays.copyOf(request.promptTokens(), numTokens + 64);
            System.arraycopy(
                    request.outputTokens(), 0, tokens, request.promptTokens().length, request.outputTokens().length);
            numAccepted = numTokens;
            pool = request.params().pooling().isPresent() ? new double[hiddenSize] : null;
        }

        void addBlocks(int[] newBlocks) {
            if (newBlocks.length > 0) {
                int n = blockTable.length;
                blockTable = Arrays.copyOf(blockTable, n + newBlocks.length);
                System.arraycopy(newBlocks, 0, blockTable, n, newBlocks.length);
            }
        }

        /** A token this shard sampled: the input of the request's next step. */
        void sampled(int position, int token) {
            if (position >= tokens.length) {
                tokens = Arrays.copyOf(tokens, Math.max(position + 1, tokens.length * 2));
            }
            tokens[position] = token;
            numTokens = Math.max(numTokens, position + 1);
        }
    }

    /** A shard whose multi-step decodes always run every round. */
    public LocalShard(String name, StepRunner runner, List<Integer> eosTokenIds) {
        this(name, runner, eosTokenIds, DecodeInterrupt.local());
    }

    public LocalShard(String name, StepRunner runner, List<Integer> eosTokenIds, DecodeInterrupt interrupt) {
        this(name, runner, eosTokenIds, interrupt, Grammars.none());
    }

    /** grammars compiles the structured-output grammars of requests against the model's vocabulary. */
    public LocalShard(
            String name, StepRunner runner, List<Integer> eosTokenIds, DecodeInterrupt interrupt, Grammars grammars) {
        this.name = name;
        this.grammars = grammars;
        this.runner = runner;
        this.eosTokenIds = List.copyOf(eosTokenIds);
        this.interrupt = interrupt;
        this.vocab = runner.config().vocabSize();
        this.sampler = new Sampler(vocab);
        this.logprobs = new LogprobCalculator(vocab);
        this.scorer = new PromptScorer(runner, logprobs);
        this.pooler = new EmbeddingPooler(runner);
        int maxTokens = runner.maxBatchTokens();
        int maxSequences = runner.maxLogitTokens();
        tokens = new int[maxTokens];
        positions = new int[maxTokens];
        sequenceOfToken = new int[maxTokens];
        logitTokens = new int[maxSequences];
        sampledSequence = new int[maxSequences];
        tables = new int[maxTokens][];
        state = new RequestState[maxTokens];
        firstOutput = new int[maxTokens];
        numScored = new int[maxTokens];
        firstToken = new int[maxTokens];
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
        if (batch.numInputTokens() > tokens.length || seqs.size() > tables.length) {
            throw new IllegalArgumentException(name + ": step of " + batch.numInputTokens() + " tokens / " + seqs.size()
                    + " sequences exceeds " + tokens.length + " tokens");
        }
        int numOutputs = 0, rounds = 0;
        for (int i = 0; i < seqs.size(); i++) {
            SequenceStep s = seqs.get(i);
            if (s.newRequest() != null) {
                states.put(
                        s.requestId(),
                        new RequestState(s.newRequest(), vocab, runner.config().hiddenSize(), grammars));
            }
            state[i] = states.get(s.requestId());
            if (state[i] == null) {
                throw new IllegalStateException(name + ": step for unknown request " + s.requestId());
            }
            if (s.startPosition() + s.numTokens() > state[i].numTokens) {
                throw new IllegalStateException(name + ": step for " + s.requestId() + " needs tokens up to "
                        + (s.startPosition() + s.numTokens()) + ", the shard has " + state[i].numTokens);
            }
            state[i].addBlocks(s.newBlocks());
            numScored[i] = state[i].request.numScored(s.startPosition(), s.numTokens());
            numOutputs += numScored[i];
            firstOutput[i] = numOutputs; // the first sample; the prompt logprobs come before it
            numOutputs += s.numSamples();
            rounds = Math.max(rounds, s.numSamples());
        }
        SampledToken[] out = new SampledToken[numOutputs];
        for (int i = 0; i < seqs.size(); i++) {
            if (numScored[i] > 0) {
                int from = seqs.get(i).startPosition();
                RequestState st = state[i];
                scorer.score(
                        st.request,
                        st.tokens,
                        st.blockTable,
                        from,
                        from + numScored[i],
                        out,
                        firstOutput[i] - numScored[i]);
            }
        }
        // Round 0 computes every token of the step; each further round feeds back the token that
        // its sequences sampled in the round before (several decode steps for one round trip).
        int n = 0, numLogits = 0;
        for (int i = 0; i < seqs.size(); i++) {
            SequenceStep s = seqs.get(i);
            firstToken[i] = n;
            for (int k = numScored[i]; k < s.numTokens(); k++) {
                put(n++, state[i], state[i].tokens[s.startPosition() + k], s.startPosition() + k, i);
            }
            tables[i] = state[i].blockTable;
            if (s.numSamples() > 0) {
                requireLogitSlot(numLogits);
                sampledSequence[numLogits] = i;
                logitTokens[numLogits++] = n - 1;
            }
        }
        if (n > 0) { // else every token of the step was a scored prompt token
            float[] logits = forward(n, numLogits);
            for (int i = 0; i < seqs.size(); i++) {
                RequestState st = state[i];
                if (st.pool != null) {
                    int start = seqs.get(i).startPosition() + numScored[i];
                    pooler.add(
                            st.pool,
                            st.request.params().pooling().get(),
                            st.request.promptTokens().length,
                            firstToken[i],
                            start,
                            seqs.get(i).numTokens() - numScored[i]);
                }
            }
            sample(logits, numLogits, 0, out);
        }
        int round = 1;
        for (; round < rounds && !interrupt.isRaised(); round++) {
            n = 0;
            for (int i = 0; i < seqs.size(); i++) {
                SequenceStep s = seqs.get(i);
                if (s.numSamples() > round) {
                    put(
                            n,
                            state[i],
                            out[firstOutput[i] + round - 1].token(),
                            s.startPosition() + s.numTokens() + round - 1,
                            n);
                    tables[n] = state[i].blockTable;
                    sampledSequence[n] = i;
                    logitTokens[n] = n;
                    n++;
                }
            }
            sample(forward(n, n), n, round, out);
        }
        if (round < rounds) { // cut short: the samples of the rounds not run
            for (int i = 0; i < seqs.size(); i++) {
                for (int j = firstOutput[i] + round;
                        j < firstOutput[i] + seqs.get(i).numSamples();
                        j++) {
                    out[j] = SampledToken.notComputed(seqs.get(i).requestId());
                }
            }
        }
        Arrays.fill(state, 0, seqs.size(), null);
        return Arrays.asList(out);
    }

    private void put(int index, RequestState st, int token, int position, int table) {
        if (position >= st.numAccepted) {
            st.sampling.accept(token);
            st.numAccepted = position + 1;
        }
        tokens[index] = token;
        positions[index] = position;
        sequenceOfToken[index] = table;
    }

    private void requireLogitSlot(int numLogits) {
        if (numLogits == logitTokens.length) {
            throw new IllegalArgumentException(
                    name + ": more than " + logitTokens.length + " sequences sample in one step");
        }
    }

    private float[] forward(int n, int numLogits) {
        return runner.forward(new ForwardBatch(n, tokens, positions, sequenceOfToken, tables, numLogits, logitTokens));
    }

    /** Samples logit row r as output {@code round} of sequence sampledSequence[r] (an embedding request's: its vector). */
    private void sample(float[] logits, int numLogits, int round, SampledToken[] out) {
        for (int r = 0; r < numLogits; r++) {
            int i = sampledSequence[r];
            RequestState st = state[i];
            if (st.pool != null) {
                out[firstOutput[i] + round] = SampledToken.embedding(st.request.requestId(), pooler.vector(st.pool));
                continue;
            }
            int off = r * vocab;
            int top = st.request.numTopLogprobs();
            if (top >= 0) {
                logprobs.capture(logits, off, top);
            }
            int token = sampler.sample(logits, off, st.sampling, eosTokenIds);
            st.sampled(positions[logitTokens[r]] + 1, token);
            out[firstOutput[i] + round] = top >= 0
                    ? logprobs.result(st.request.requestId(), token)
                    : new SampledToken(st.request.requestId(), token, Float.NaN, null, null);
        }
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
