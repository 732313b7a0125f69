package dev.tandem.shard;

import java.util.List;

/**
 * One step for one shard, plus the requests that ended since, whose state the shard can drop. A
 * step of several decode rounds (numSamples above 1) computes numTokens tokens in numRounds passes.
 */
public record StepBatch(StepKind kind, List<SequenceStep> sequences, List<String> finishedRequestIds) {
    /** Tokens of the first forward pass: every token the step's sequences were given. */
    public int numInputTokens() {
        int n = 0;
        for (SequenceStep s : sequences) {
            n += s.numTokens();
        }
        return n;
    }

    /** Tokens computed in all passes: the input tokens and the sampled ones fed back. */
    public int numTokens() {
        int n = 0;
        for (SequenceStep s : sequences) {
            n += s.endPosition() - s.startPosition();
        }
        return n;
    }

    /** Forward passes the step takes: 1, or more for several decode steps in a row. */
    public int numRounds() {
        int rounds = 1;
        for (SequenceStep s : sequences) {
            rounds = Math.max(rounds, s.numSamples());
        }
        return rounds;
    }
}
