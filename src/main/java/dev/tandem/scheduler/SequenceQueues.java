package dev.tandem.scheduler;

import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.request.FinishReason;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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

    SequenceQueues(KvCacheManager kv) {
        this.kv = kv;
    }

    void add(Sequence s) {
        if (byId.putIfAbsent(s.requestId, s) != null) {
            throw new IllegalArgumentException("duplicate request id " + s.requestId);
        }
        waiting.addLast(s);
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
