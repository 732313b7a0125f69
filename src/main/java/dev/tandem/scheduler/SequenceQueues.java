package dev.tandem.scheduler;

import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.request.FinishReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The scheduler's state: waiting sequences (in arrival order, preempted ones at the head), running
 * ones (oldest first), and the ended requests each shard may still hold state for. Ended requests
 * ride along with that shard's next step rather than in a message of their own: waking an idle
 * shard process just to forget a request would cost a round trip on the cores the other shard is
 * computing on. Every move between the queues frees or keeps blocks as it must.
 */
final class SequenceQueues {
    final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    final List<Sequence> running = new ArrayList<>();
    final List<String> endedForPrefill = new ArrayList<>();
    final List<String> endedForDecode = new ArrayList<>();
    private final Map<String, Sequence> byId = new HashMap<>();
    private final KvCacheManager kv;
    private final LongSupplier clock;
    private long numArrived;

    /** clock: nanoseconds, for arrival times and aging (System::nanoTime but in tests). */
    SequenceQueues(KvCacheManager kv, LongSupplier clock) {
        this.kv = kv;
        this.clock = clock;
    }

    void add(Sequence s) {
        if (byId.putIfAbsent(s.requestId, s) != null) {
            throw new IllegalArgumentException("duplicate request id " + s.requestId);
        }
        s.arrivalNanos = clock.getAsLong();
        s.arrivalOrder = numArrived++;
        waiting.addLast(s);
    }

    /** The priority policy's order as of now. */
    PriorityOrder priorityOrder(long agingNanos) {
        return new PriorityOrder(clock.getAsLong(), agingNanos);
    }

    /** The waiting sequence to admit next: the head of the queue, or with an order the first by it. */
    Sequence nextWaiting(PriorityOrder order) {
        if (order == null) {
            return waiting.peekFirst();
        }
        Sequence next = null;
        for (Sequence s : waiting) {
            if (next == null || order.compare(s, next) < 0) {
                next = s;
            }
        }
        return next;
    }

    /** Running and waiting requests per priority value, for the metrics of the priority policy. */
    Map<Integer, SchedulerStats.Counts> countsByPriority() {
        Map<Integer, int[]> counts = new TreeMap<>();
        running.forEach(s -> counts.computeIfAbsent(s.priority, p -> new int[2])[0]++);
        waiting.forEach(s -> counts.computeIfAbsent(s.priority, p -> new int[2])[1]++);
        Map<Integer, SchedulerStats.Counts> out = new TreeMap<>();
        counts.forEach((p, c) -> out.put(p, new SchedulerStats.Counts(c[0], c[1])));
        return out;
    }

    Sequence get(String requestId) {
        return byId.get(requestId);
    }

    /** The head of the queue starts running, its first cached tokens already computed. */
    void start(Sequence s, int cachedTokens) {
        waiting.remove(s);
        s.status = Sequence.Status.RUNNING;
        s.numComputed = cachedTokens;
        if (s.numCachedPromptTokens < 0) {
            s.numCachedPromptTokens = Math.min(cachedTokens, s.promptLength);
        }
        running.add(s);
    }

    /** Back to the head of the queue, blocks freed and shards told, to be computed again. */
    void requeue(Sequence s) {
        forgetOnShards(s);
        kv.free(s.requestId);
        running.remove(s);
        s.status = Sequence.Status.WAITING;
        s.numComputed = 0;
        s.blocksOnPrefillShard = -1;
        s.blocksOnDecodeShard = -1;
        waiting.addFirst(s);
    }

    void end(Sequence s, FinishReason reason) {
        if (s.status == Sequence.Status.FINISHED) {
            return;
        }
        if (s.status == Sequence.Status.RUNNING) {
            running.remove(s);
        } else {
            waiting.remove(s);
        }
        kv.free(s.requestId);
        s.status = Sequence.Status.FINISHED;
        s.finishReason = reason;
        byId.remove(s.requestId);
        forgetOnShards(s);
    }

    /** Queues the request's end for the shards that were sent it (a replaced shard ignores ids it never saw). */
    private void forgetOnShards(Sequence s) {
        if (s.knownByPrefillShard()) {
            endedForPrefill.add(s.requestId);
        }
        if (s.knownByDecodeShard()) {
            endedForDecode.add(s.requestId);
        }
    }
}
