package dev.tandem.scheduler;

import java.util.Comparator;

/**
 * The order of the priority policy at one moment: by effective priority, then by arrival. A
 * request's effective priority is its priority less one for every aging interval it has waited
 * since it arrived, so a request of priority p outranks every request that arrives after it once
 * it has waited (p - q + 1) intervals, where q is the smallest priority in use: no request waits
 * forever behind a stream of more urgent ones (vLLM has no such bound). Aging 0 turns it off.
 */
final class PriorityOrder implements Comparator<Sequence> {
    private final long now;
    private final long agingNanos;

    PriorityOrder(long now, long agingNanos) {
        this.now = now;
        this.agingNanos = agingNanos;
    }

    long effectivePriority(Sequence s) {
        long aged = agingNanos > 0 ? Math.max(0, now - s.arrivalNanos) / agingNanos : 0;
        return s.priority - aged;
    }

    @Override
    public int compare(Sequence a, Sequence b) {
        int byPriority = Long.compare(effectivePriority(a), effectivePriority(b));
        return byPriority != 0 ? byPriority : Long.compare(a.arrivalOrder, b.arrivalOrder);
    }
}
