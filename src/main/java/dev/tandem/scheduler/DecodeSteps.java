package dev.tandem.scheduler;

/**
 * How many decode steps the decode shard runs for one scheduling step (vLLM's multi-step
 * scheduling). Every scheduling step costs a round trip to the shard, and to a shard process that
 * is two cross-process wake-ups; running several decode steps per round trip spreads that cost.
 * The price: streamed tokens come in bursts (a request that arrives, or aborts, cuts the steps
 * short: {@link dev.tandem.shard.DecodeInterrupt}). Bursts are bounded by the window, which is
 * divided by the decode step time measured lately, so a large model (whose steps dwarf the round
 * trip) keeps one step per round trip.
 */
final class DecodeSteps {
    private final int max;
    private final long windowNanos;
    /** Moving average of one decode step's time; 0 until the first is measured. */
    private double stepNanos;

    DecodeSteps(SchedulerConfig config) {
        this.max = config.maxDecodeSteps();
        this.windowNanos = config.decodeWindow().toNanos();
    }

    /** Steps for the next decode round trip: 1 unless the last steps were short enough. */
    int next() {
        if (max == 1 || stepNanos == 0) {
            return 1;
        }
        return (int) Math.max(1, Math.min(max, windowNanos / stepNanos));
    }

    void observe(long roundTripNanos, int steps) {
        double perStep = (double) roundTripNanos / steps;
        stepNanos = stepNanos == 0 ? perStep : 0.8 * stepNanos + 0.2 * perStep;
    }
}
