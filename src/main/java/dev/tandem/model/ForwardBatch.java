package dev.tandem.model;

/**
 * The tokens of one forward step. Token t belongs to sequence {@code sequenceOfToken[t]} whose
 * KV blocks are {@code blockTables[that]}, sits at {@code positions[t]}, and its K/V is written
 * there before attention reads it. Logits are computed only for the tokens listed in
 * {@code logitTokens} (the last token of each sequence for generation, all of them for scoring).
 * Callers reuse the arrays between steps; only the first numTokens / numLogitTokens entries count.
 */
public record ForwardBatch(
        int numTokens,
        int[] tokens,
        int[] positions,
        int[] sequenceOfToken,
        int[][] blockTables,
        int numLogitTokens,
        int[] logitTokens) {
    public ForwardBatch {
        if (numTokens < 1
                || numTokens > tokens.length
                || numTokens > positions.length
                || numTokens > sequenceOfToken.length) {
            throw new IllegalArgumentException("batch of " + numTokens + " tokens does not fit its arrays");
        }
        if (numLogitTokens < 0 || numLogitTokens > logitTokens.length) {
            throw new IllegalArgumentException("numLogitTokens " + numLogitTokens + " out of range");
        }
    }
}
