package dev.tandem.shard;

import java.util.List;

/** One step for one shard, plus the requests that ended since, whose state the shard can drop. */
public record StepBatch(StepKind kind, List<SequenceStep> sequences, List<String> finishedRequestIds) {
    public int numTokens() {
        int n = 0;
        for (SequenceStep s : sequences) {
            n += s.tokens().length;
        }
        return n;
    }
}
