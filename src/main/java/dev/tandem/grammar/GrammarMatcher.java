package dev.tandem.grammar;

import dev.tandem.grammar.GrammarAutomaton.Config;
import dev.tandem.sampling.TokenConstraint;
import java.util.List;

/**
 * Where one sequence stands in its grammar: masks each step's logits to the tokens that keep the
 * output inside the grammar, EOS only where the grammar may end (and nothing else once it must).
 * A token the grammar refuses (never sampled, but possible in replayed input) leaves only EOS.
 */
public final class GrammarMatcher implements TokenConstraint {
    private final CompiledGrammar grammar;
    private float[] eosLogits = new float[0];
    private Config state;

    GrammarMatcher(CompiledGrammar grammar, Config start) {
        this.grammar = grammar;
        this.state = start;
    }

    @Override
    public void mask(float[] logits, int off, int vocab, List<Integer> eosIds) {
        int numEos = eosIds.size();
        if (eosLogits.length < numEos) {
            eosLogits = new float[numEos]; // once: the model's EOS ids do not change
        }
        for (int i = 0; i < numEos; i++) {
            eosLogits[i] = logits[off + eosIds.get(i)];
        }
        long[] mask = state == null ? null : grammar.mask(state);
        for (int w = 0, words = (vocab + 63) >>> 6; w < words; w++) {
            long m = mask == null || w >= mask.length ? 0L : mask[w];
            if (m == -1L) {
                continue;
            }
            int base = w << 6;
            int limit = Math.min(64, vocab - base);
            for (int b = 0; b < limit; b++) {
                if ((m & (1L << b)) == 0) {
                    logits[off + base + b] = Float.NEGATIVE_INFINITY;
                }
            }
        }
        if (eosIds.isEmpty() || !mayEnd()) {
            return;
        }
        // EOS was masked with the rest (it has no bytes); where the grammar may end it comes back,
        // and where nothing else may follow it is forced, even over min_tokens.
        for (int i = 0; i < numEos; i++) {
            logits[off + eosIds.get(i)] = eosLogits[i];
        }
        boolean forced = state == null || state.finished();
        if (forced && eosLogits[0] == Float.NEGATIVE_INFINITY) {
            logits[off + eosIds.get(0)] = 0f;
        }
    }

    @Override
    public void accept(int token) {
        if (state != null) {
            state = grammar.advance(state, token);
        }
    }

    /** Advances past raw output bytes (the tail of a token that completed a trigger). */
    void accept(byte[] bytes, int from) {
        if (state != null) {
            state = grammar.advance(state, bytes, from);
        }
    }

    /** Whether the grammar is complete and nothing more may follow (or the output already left it). */
    boolean finished() {
        return state == null || state.finished();
    }

    /** Whether the output so far is a complete sentence of the grammar. */
    public boolean mayEnd() {
        return state == null || state.accepting;
    }

    /** Whether the output so far can still be completed (false once a refused token came). */
    public boolean alive() {
        return state != null;
    }
}
