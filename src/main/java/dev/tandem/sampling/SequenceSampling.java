package dev.tandem.sampling;

import java.util.SplittableRandom;

/** Per-sequence sampling state: its random stream (seeded for reproducibility) and token counts. */
public final class SequenceSampling {
    private final SamplingParams params;
    private final SplittableRandom random;
    private final TokenCounts counts;
    private int numGenerated;

    public SequenceSampling(SamplingParams params, int vocab, int[] promptTokens) {
        this.params = params;
        this.random = params.seed().isPresent() ? new SplittableRandom(params.seed().getAsLong()) : new SplittableRandom();
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
    }

    public int numGenerated() {
        return numGenerated;
    }

    TokenCounts counts() {
        return counts;
    }

    double nextUniform() {
        return random.nextDouble();
    }
}
