package dev.tandem.sampling;

import dev.tandem.request.SamplingParams;
import java.util.List;

/**
 * Draws the next token from one sequence's logits. Order, as in vLLM V1: logit bias, masking of
 * EOS/stop tokens until min_tokens, the grammar's mask (which may bring EOS back where the
 * grammar must end), penalties, then greedy argmax, or temperature, min-p, top-k,
 * top-p and a draw from what is left. Holds scratch buffers, so use one per thread.
 */
public final class Sampler {
    private final int vocab;
    private final float[] probs;
    private final long[] scratch;
    private final int[] order;

    public Sampler(int vocab) {
        this.vocab = vocab;
        this.probs = new float[vocab];
        this.scratch = new long[vocab];
        this.order = new int[vocab];
    }

    /** Samples from logits[off .. off+vocab), which it modifies. eosIds are masked before min_tokens. */
    public int sample(float[] logits, int off, SequenceSampling seq, List<Integer> eosIds) {
        SamplingParams p = seq.params();
        if (!p.logitBias().isEmpty()) {
            LogitsProcessors.logitBias(logits, off, vocab, p.logitBias());
        }
        if (seq.numGenerated() < p.minTokens()) {
            LogitsProcessors.mask(logits, off, vocab, p.stopTokenIds());
            if (!p.ignoreEos()) {
                LogitsProcessors.mask(logits, off, vocab, eosIds);
            }
        }
        if (seq.constraint() != null) {
            seq.constraint().mask(logits, off, vocab, eosIds);
        }
        if (seq.counts() != null) {
            LogitsProcessors.penalties(
                    logits, off, seq.counts(), p.presencePenalty(), p.frequencyPenalty(), p.repetitionPenalty());
        }
        if (p.isGreedy()) {
            return argmax(logits, off, vocab);
        }
        LogitsProcessors.temperature(logits, off, vocab, p.temperature());
        LogitsProcessors.softmax(logits, off, vocab, probs);
        if (p.minP() > 0f) {
            LogitsProcessors.minP(probs, vocab, p.minP());
        }
        int kept = LogitsProcessors.topKTopP(probs, vocab, p.topK(), p.topP(), scratch, order);
        return draw(kept, seq.nextUniform());
    }

    /** Inverse-CDF draw over the kept tokens, most probable first, so a seed gives the same token. */
    private int draw(int kept, double u) {
        double total = 0;
        for (int i = 0; i < kept; i++) {
            total += probs[order[i]];
        }
        double target = u * total;
        double cumulative = 0;
        for (int i = 0; i < kept; i++) {
            cumulative += probs[order[i]];
            if (cumulative > target) {
                return order[i];
            }
        }
        return order[kept - 1];
    }

    /** The probabilities left after the last sample()'s filters (for tests and logprobs). */
    public float probability(int token) {
        return probs[token];
    }

    public static int argmax(float[] logits, int off, int n) {
        int best = 0;
        float bestValue = logits[off];
        for (int i = 1; i < n; i++) {
            if (logits[off + i] > bestValue) {
                bestValue = logits[off + i];
                best = i;
            }
        }
        return best;
    }
}
