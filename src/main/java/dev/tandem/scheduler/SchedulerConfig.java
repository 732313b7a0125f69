package dev.tandem.scheduler;

import java.time.Duration;

/**
 * Limits of one scheduling step: at most maxNumBatchedTokens tokens and maxNumSeqs running
 * sequences; maxModelLen is the context length no sequence may exceed. When every running
 * sequence decodes and none waits, one step may run up to maxDecodeSteps decode steps on the
 * shard, as many as fit in decodeWindow at the measured step time (1 turns this off).
 */
public record SchedulerConfig(int maxNumBatchedTokens, int maxNumSeqs, int maxModelLen, int maxDecodeSteps, Duration decodeWindow) {
    public SchedulerConfig {
        if (maxNumBatchedTokens < 1 || maxNumSeqs < 1 || maxModelLen < 2 || maxDecodeSteps < 1 || decodeWindow.isNegative()) {
            throw new IllegalArgumentException("invalid scheduler limits: " + this);
        }
    }

    /** One decode step per scheduling step. */
    public SchedulerConfig(int maxNumBatchedTokens, int maxNumSeqs, int maxModelLen) {
        this(maxNumBatchedTokens, maxNumSeqs, maxModelLen, 1, Duration.ZERO);
    }
}
