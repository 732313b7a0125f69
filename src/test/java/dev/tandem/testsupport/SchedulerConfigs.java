package dev.tandem.testsupport;

import dev.tandem.scheduler.SchedulerConfig;
import dev.tandem.scheduler.SchedulingPolicy;
import java.time.Duration;

/** Scheduler limits the tests share. */
public final class SchedulerConfigs {
    private SchedulerConfigs() {}

    /**
     * Up to decodeSteps decode steps per scheduling step whenever only decoding goes on (a window
     * no step time reaches), context 1024, first come first served; 1 step turns it off.
     */
    public static SchedulerConfig multiStep(int budget, int maxSeqs, int decodeSteps) {
        Duration window = decodeSteps > 1 ? Duration.ofHours(1) : Duration.ZERO;
        return new SchedulerConfig(
                budget, maxSeqs, 1024, decodeSteps, window, true, SchedulingPolicy.FCFS, Duration.ZERO);
    }
}
