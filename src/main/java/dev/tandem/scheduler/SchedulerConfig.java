package dev.tandem.scheduler;

import java.time.Duration;

/**
 * Limits of one scheduling step: at most maxNumBatchedTokens tokens and maxNumSeqs running
 * sequences; maxModelLen is the context length no sequence may exceed. When every running
 * sequence decodes and none waits, one step may run up to maxDecodeSteps decode steps on the
 * shard, as many as fit in decodeWindow at the measured step time (1 turns this off). With
 * overlapShardSteps the prefill and the decode step of one scheduling step run at once; without,
 * one after the other (shards that share their cores only contend when they overlap). The policy
 * orders the waiting queue ({@link SchedulingPolicy}); priorityAging is its aging interval.
 */
public record SchedulerConfig(
        int maxNumBatchedTokens,
        int maxNumSeqs,
        int maxModelLen,
        int maxDecodeSteps,
        Duration decodeWindow,
        boolean overlapShardSteps,
        SchedulingPolicy policy,
        Duration priorityAging) {
    public SchedulerConfig {
        if (maxNumBatchedTokens < 1
                || maxNumSeqs < 1
                || maxModelLen < 2
                || maxDecodeSteps < 1
                || decodeWindow.isNegative()
                || priorityAging.isNegative()) {
            throw new IllegalArgumentException("invalid scheduler limits: " + this);
        }
    }

    /** The same limits under the priority policy, aged by one level per aging interval (0: no aging). */
    public SchedulerConfig withPriority(Duration aging) {
        return new SchedulerConfig(
                maxNumBatchedTokens,
                maxNumSeqs,
                maxModelLen,
                maxDecodeSteps,
                decodeWindow,
                overlapShardSteps,
                SchedulingPolicy.PRIORITY,
                aging);
    }

    /** One decode step per scheduling step. */
    public SchedulerConfig(int maxNumBatchedTokens, int maxNumSeqs, int maxModelLen) {
        this(
                maxNumBatchedTokens,
                maxNumSeqs,
                maxModelLen,
                1,
                Duration.ZERO,
                true,
                SchedulingPolicy.FCFS,
                Duration.ZERO);
    }
}
