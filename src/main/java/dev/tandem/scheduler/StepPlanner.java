package dev.tandem.scheduler;

import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.shard.Shard;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * Plans one step in the style of vLLM V1: every running sequence gets what it still needs (one
 * token when decoding, a chunk of its prompt while prefilling) within the token budget, oldest
 * first; then waiting sequences are admitted while budget, sequence slots and KV blocks last. A
 * sequence that cannot grow preempts the newest running one: its blocks are freed and it goes
 * back to the head of the queue, to be recomputed. While only decoding goes on, several decode
 * steps at a time ({@link DecodeSteps}). Under the priority policy both queues are taken in
 * {@link PriorityOrder}, and a waiting request that outranks running ones preempts them for blocks.
 */
record StepPlanner(
        SchedulerConfig config,
        KvCacheManager kv,
        SequenceQueues queues,
        Shard prefillShard,
        Shard decodeShard,
        DecodeSteps decodeSteps,
        StepListener listener) {
    /** One sequence's part of the planned step: its next numTokens tokens, then numSamples samples. */
    record Planned(Sequence seq, int numTokens, int numSamples) {}

    List<Planned> plan() {
        List<Sequence> running = queues.running;
        PriorityOrder order = config.policy() == SchedulingPolicy.PRIORITY
                ? queues.priorityOrder(config.priorityAging().toNanos())
                : null;
        if (order != null) {
            running.sort(order); // the most urgent get the budget first; the last is preempted first
        }
        int budget = config.maxNumBatchedTokens();
        int rounds = onlyDecoding() ? decodeSteps.next() : 1;
        List<Planned> scheduled = new ArrayList<>();
        boolean preempted = false;
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            if (!(s.decodesNext() ? decodeShard : prefillShard).isReady()) {
                continue; // waits, holding its blocks, until the shard is back
            }
            int n = Math.min(s.numTokens - s.numComputed, budget);
            int k = n == s.numTokens - s.numComputed ? Math.min(rounds, s.numUsefulSamples(config.maxModelLen())) : 0;
            // Blocks for the tokens fed back after the first sample, while every running sequence
            // could still grow by a block (so that none is preempted for them); else one step.
            int lookahead = s.numComputed + n + k - 1;
            if (k > 1
                    && !(kv.canAllocate(s.requestId, lookahead, running.size())
                            && kv.allocate(s.requestId, lookahead))) {
                k = 1;
            }
            while (!kv.allocate(s.requestId, s.numComputed + n)) {
                Sequence victim = running.get(running.size() - 1);
                queues.requeue(victim);
                listener.onPreemption();
                preempted = true;
                if (victim == s) {
                    n = 0;
                    break;
                }
            }
            if (n > 0) {
                scheduled.add(new Planned(s, n, k));
                budget -= n;
            }
        }
        while (!preempted
                && !queues.waiting.isEmpty()
                && budget > 0
                && running.size() < config.maxNumSeqs()
                && prefillShard.isReady()) {
            Sequence s = queues.nextWaiting(order);
            int cached = kv.admit(s.requestId, s.tokens, s.numTokens, budget, s.readsPrefixCache());
            // Under priority, a request that outranks running ones takes their blocks.
            while (cached < 0 && order != null && !running.isEmpty()) {
                Sequence victim = Collections.max(running, order);
                if (order.compare(victim, s) <= 0) {
                    break;
                }
                for (Iterator<Planned> it = scheduled.iterator(); it.hasNext(); ) {
                    Planned p = it.next();
                    if (p.seq() == victim) {
                        budget += p.numTokens();
                        it.remove();
                    }
                }
                queues.requeue(victim);
                listener.onPreemption();
                cached = kv.admit(s.requestId, s.tokens, s.numTokens, budget, s.readsPrefixCache());
            }
            if (cached < 0) {
                break;
            }
            queues.start(s, cached);
            int n = Math.min(s.numTokens - cached, budget);
            scheduled.add(new Planned(s, n, n == s.numTokens - cached ? 1 : 0));
            budget -= n;
        }
        return scheduled;
    }

    /** Several decode steps in one go only when nothing else could run meanwhile: no prompt waits or is being prefilled. */
    private boolean onlyDecoding() {
        if (!queues.waiting.isEmpty()) {
            return false;
        }
        for (Sequence s : queues.running) {
            if (!s.decodesNext()) {
                return false;
            }
        }
        return true;
    }
}
