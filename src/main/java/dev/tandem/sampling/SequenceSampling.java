package dev.tandem.sampling;

import dev.tandem.request.SamplingParams;

/**
 * Per-sequence sampling state: token counts for the penalties and the seed. The random number
 * for output i is a hash of (seed, i), not a stream, so whichever shard samples output i, and a
 * recompute after preemption, draws the same token.
 */
public final class SequenceSampling {
    private final SamplingParams params;
    private final long seed;
    private final TokenCounts counts;
    private final TokenConstraint constraint;
    private int numGenerated;

    public SequenceSampling(SamplingParams params, int vocab, int[] promptTokens) {
        this(params, vocab, promptTokens, null);
    }

    /** With the constraint of params' grammar (null when it has none). */
    public SequenceSampling(SamplingParams params, int vocab, int[] promptTokens, TokenConstraint constraint) {
        if (params.grammar().isPresent() != (constraint != null)) {
            throw new IllegalArgumentException("a grammar needs its constraint, and a constraint its grammar");
        }
        this.params = params;
        this.constraint = constraint;
        this.seed = params.seed().isPresent()
                ? params.seed().getAsLong()
                : System.nanoTime() ^ System.identityHashCode(this);
        this.counts = params.hasPenalties() ? new TokenCounts(vocab) : null;
        if (counts != null) {
            for (int t : promptTokens) {
                counts.addPrompt(t);
            }
        }
    }

    public SamplingParams params() {
        return params;
    }

    /** Records a generated token (penalties count it from the next step on). */
    public void accept(int token) {
        numGenerated++;
        if (counts != null) {
            counts.addOutput(token);
        }
        if (constraint != null) {
            constraint.accept(token);
        }
    }

    /** The grammar the output is held to, or null. */
    public TokenConstraint constraint() {
        return constraint;
    }

    public int numGenerated() {
        return numGenerated;
    }

    TokenCounts counts() {
        return counts;
    }

    /** Uniform in [0, 1) for the next output, from splitmix64 of (seed, output index). */
    double nextUniform() {
        long z = seed + (numGenerated + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }
}
