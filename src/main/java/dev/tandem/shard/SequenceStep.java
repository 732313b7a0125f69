package dev.tandem.shard;

/**
 * One sequence's part of a step: compute {@code tokens} at positions startPosition.. with the KV
 * blocks of blockTable, then sample numSamples tokens: 0 for a prompt chunk that is not the last,
 * 1 for the last chunk of a prompt or a decode token, more for several decode steps in a row (each
 * sampled token is fed back at the next position; blockTable must already cover them all), which
 * saves the round trips between them. newRequest is set the first time this shard sees the request.
 */
public record SequenceStep(String requestId, int[] tokens, int startPosition, int[] blockTable, int numSamples,
                           NewRequest newRequest) {
    public SequenceStep {
        if (numSamples < 0 || tokens.length == 0) {
            throw new IllegalArgumentException("a sequence step needs tokens and numSamples >= 0, got " + tokens.length + " and "
                    + numSamples);
        }
    }

    /** The positions this step writes KV for: its tokens, and every sampled token fed back but the last. */
    public int endPosition() {
        return startPosition + tokens.length + Math.max(0, numSamples - 1);
    }
}
