package dev.tandem.shard;

/**
 * One sequence's part of a step, as a diff of what the shard already has: compute the numTokens
 * tokens at positions startPosition.. (the shard has them: the prompt and outputs came with the
 * request, sampled tokens it keeps), with newBlocks appended to the request's block table, then
 * sample numSamples tokens: 0 for a prompt chunk that is not the last, 1 for the last chunk of a
 * prompt or a decode token, more for several decode steps in a row (each sampled token is fed back
 * at the next position; the block table must already cover them all), which saves the round trips
 * between them. newRequest is set the first time this shard sees the request, with every block so far.
 */
public record SequenceStep(
        String requestId, int startPosition, int numTokens, int[] newBlocks, int numSamples, NewRequest newRequest) {
    public SequenceStep {
        if (numSamples < 0 || numTokens <= 0 || startPosition < 0) {
            throw new IllegalArgumentException("a sequence step needs tokens and numSamples >= 0, got " + numTokens
                    + " at " + startPosition + " and " + numSamples);
        }
    }

    /** The positions this step writes KV for: its tokens, and every sampled token fed back but the last. */
    public int endPosition() {
        return startPosition + numTokens + Math.max(0, numSamples - 1);
    }
}
