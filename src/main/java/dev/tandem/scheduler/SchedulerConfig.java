package dev.tandem.scheduler;

/**
 * Limits of one scheduling step: at most maxNumBatchedTokens tokens and maxNumSeqs running
 * sequences; maxModelLen is the context length no sequence may exceed.
 */
public record SchedulerConfig(int maxNumBatchedTokens, int maxNumSeqs, int maxModelLen) {
    public SchedulerConfig {
        if (maxNumBatchedTokens < 1 || maxNumSeqs < 1 || maxModelLen < 2) {
            throw new IllegalArgumentException("invalid scheduler limits: " + this);
        }
    }
}
