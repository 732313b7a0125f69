package dev.tandem.sampling;

import java.util.List;

/**
 * A rule over which tokens may come next (a grammar for structured output). The sampler lets it
 * mask the logits before each draw, and the sequence feeds it every token it takes.
 */
public interface TokenConstraint {
    /** Sets the logits of forbidden tokens to -infinity; EOS stays allowed only where the constraint may end. */
    void mask(float[] logits, int off, int vocab, List<Integer> eosIds);

    /** Advances past a token the sequence took (a sampled one, or one replayed after a preemption). */
    void accept(int token);
}
