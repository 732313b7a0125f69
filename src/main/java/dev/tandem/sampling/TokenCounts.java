package dev.tandem.sampling;

import java.util.Arrays;

/**
 * Occurrence counts of the tokens a sequence has seen, for the penalties: prompt tokens count for
 * repetition, output tokens for all three. Sparse: only distinct tokens are walked per step.
 */
public final class TokenCounts {
    private final int[] outputCounts;
    private final boolean[] seen;
    private int[] distinct = new int[64];
    private int numDistinct;

    public TokenCounts(int vocab) {
        outputCounts = new int[vocab];
        seen = new boolean[vocab];
    }

    public void addPrompt(int token) {
        see(token);
    }

    public void addOutput(int token) {
        see(token);
        outputCounts[token]++;
    }

    private void see(int token) {
        if (!seen[token]) {
            seen[token] = true;
            if (numDistinct == distinct.length) {
                distinct = Arrays.copyOf(distinct, numDistinct * 2);
            }
            distinct[numDistinct++] = token;
        }
    }

    public int numDistinct() {
        return numDistinct;
    }

    public int distinctToken(int i) {
        return distinct[i];
    }

    public int outputCount(int token) {
        return outputCounts[token];
    }
}
