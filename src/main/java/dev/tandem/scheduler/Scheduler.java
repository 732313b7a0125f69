package dev.tandem.scheduler;

import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.request.FinishReason;
import dev.tandem.shard.DecodeInterrupt;
import dev.tandem.shard.NewRequest;
import dev.tandem.shard.SampledToken;
import dev.tandem.shard.SequenceStep;
import dev.tandem.shard.Shard;
import dev.tandem.shard.ShardFailedException;
import dev.tandem.shard.StepBatch;
import dev.tandem.shard.StepKind;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Continuous batching in the style of vLLM V1. Each step gives every running sequence what it
 * still needs (one token when decoding, a chunk of its prompt while prefilling) within the token
 * budget, oldest first, then admits waiting sequences while budget, sequence slots and KV blocks
 * last. A sequence that cannot grow preempts the newest running one: its blocks are freed and it
 * goes back to the head of the queue, to be recomputed. Prompt chunks go to the prefill shard,
 * decode tokens to the decode shard; while only decoding goes on, several decode steps at a time
 * ({@link DecodeSteps}), cut short when a request arrives or is aborted ({@link #interruptDecode}).
 * Not thread-safe, but for interruptDecode: the engine's loop thread owns it.
 */
public final class Scheduler {
    private final SchedulerConfig config;
    private final KvCacheManager kv;
    private final Shard prefillShard;
    private final Shard decodeShard;
    private final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    private final List<Sequence> running = new ArrayList<>();
    private final Map<String, Sequence> byId = new HashMap<>();
    /**
     * Ended requests whose state each shard may still hold. They ride along with that shard's next
     * step rather than in a message of their own: waking an idle shard process just to forget a
     * request would cost a round trip on the cores the other shard is computing on.
     */
    private final List<String> endedForPrefill = new ArrayList<>();
    private final List<String> endedForDecode = new ArrayList<>();
    private final StepListener listener;
    private final DecodeSteps decodeStepsPolicy;
    private final DecodeInterrupt interrupt;
    private boolean stalled;

    /** A scheduler whose multi-step decodes run to the end (shards without a shared interrupt). */
    public Scheduler(SchedulerConfig config, KvCacheManager kv, Shard prefillShard, Shard decodeShard, StepListener listener) {
        this(config, kv, prefillShard, decodeShard, listener, DecodeInterrupt.local());
    }

    /** interrupt: the flag the decode shard reads between the rounds of a multi-step decode. */
    public Scheduler(SchedulerConfig config, KvCacheManager kv, Shard prefillShard, Shard decodeShard, StepListener listener,
                     DecodeInterrupt interrupt) {
        this.interrupt = interrupt;
        this.config = config;
        this.listener = listener;
        this.kv = kv;
        this.prefillShard = prefillShard;
        this.decodeShard = decodeShard;
        this.decodeStepsPolicy = new DecodeSteps(config);
    }

    public void add(Sequence s) {
        if (s.numTokens >= config.maxModelLen()) {
            throw new IllegalArgumentException("prompt of " + s.numTokens + " tokens does not fit the context of "
                    + config.maxModelLen());
        }
        if (byId.putIfAbsent(s.requestId, s) != null) {
            throw new IllegalArgumentException("duplicate request id " + s.requestId);
        }
        waiting.addLast(s);
    }

    /** Ends a request now (client gone, stop string seen); its blocks return at once. */
    public StepOutput finish(String requestId, FinishReason reason) {
        Sequence s = byId.get(requestId);
        if (s == null) {
            return null;
        }
        end(s, reason);
        return new StepOutput(requestId, -1, Float.NaN, null, null, reason, s.promptLength, Math.max(0, s.numCachedPromptTokens));
    }

    public boolean hasWork() {
        return !waiting.isEmpty() || !running.isEmpty();
    }

    public int numWaiting() {
        return waiting.size();
    }

    public int numRunning() {
        return running.size();
    }

    public SchedulerConfig config() {
        return config;
    }

    /** KV blocks held by requests, and in the arena; prompt tokens looked up in / found in the prefix cache. */
    public int kvBlocksUsed() {
        return kv.pool().numInUse();
    }

    public int kvBlocksTotal() {
        return kv.pool().numBlocks();
    }

    public long prefixQueries() {
        return kv.prefixQueries();
    }

    public long prefixHits() {
        return kv.prefixHits();
    }

    public Map<String, String> shardStates() {
        return Map.of("prefill", state(prefillShard), "decode", state(decodeShard));
    }

    public boolean shardsReady() {
        return prefillShard.isReady() && decodeShard.isReady();
    }

    private static String state(Shard shard) {
        return (shard.isReady() ? "ready: " : "down: ") + shard.describe();
    }

    /**
     * Thread-safe: makes a multi-step decode in flight return after its current round, because a
     * request arrived or was aborted and should not wait for the rest. Call it after handing the
     * change to the loop thread: a step planned from then on sees it.
     */
    public void interruptDecode() {
        interrupt.raise();
    }

    /** Plans one step, runs it on the shards, and returns each request's new tokens or end. */
    public List<StepOutput> step() {
        List<StepOutput> outputs = new ArrayList<>();
        step(outputs::add);
        return outputs;
    }

    /**
     * Plans one step, runs it on the shards, and hands each request's new tokens or end to sink:
     * the prefill shard's as soon as they are in, while the decode shard may still compute, so that
     * a first token does not wait for a decode step running beside it. The sink may finish requests.
     */
    public void step(Consumer<StepOutput> sink) {
        interrupt.clear();
        int budget = config.maxNumBatchedTokens();
        int decodeSteps = onlyDecoding() ? decodeStepsPolicy.next() : 1;
        List<Planned> scheduled = new ArrayList<>();
        boolean preempted = false;
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            if (!shardFor(s).isReady()) {
                continue; // waits, holding its blocks, until the shard is back
            }
            int n = Math.min(s.numTokens - s.numComputed, budget);
            int k = n == s.numTokens - s.numComputed ? Math.min(decodeSteps, s.numUsefulSamples(config.maxModelLen())) : 0;
            // Blocks for the tokens fed back after the first sample, while every running sequence
            // could still grow by a block (so that none is preempted for them); else one step.
            if (k > 1 && (kv.pool().numAllocatable() <= running.size() || !kv.grow(s.requestId, s.numComputed + n + k - 1))) {
                k = 1;
            }
            while (!kv.grow(s.requestId, s.numComputed + n)) {
                Sequence victim = running.get(running.size() - 1);
                preempt(victim);
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
        while (!preempted && !waiting.isEmpty() && budget > 0 && running.size() < config.maxNumSeqs() && prefillShard.isReady()) {
            Sequence s = waiting.peekFirst();
            int cached = kv.admit(s.requestId, s.tokens, s.numTokens, budget);
            if (cached < 0) {
                break;
            }
            waiting.removeFirst();
            s.status = Sequence.Status.RUNNING;
            s.numComputed = cached;
            if (s.numCachedPromptTokens < 0) {
                s.numCachedPromptTokens = Math.min(cached, s.promptLength);
            }
            running.add(s);
            int n = Math.min(s.numTokens - cached, budget);
            scheduled.add(new Planned(s, n, n == s.numTokens - cached ? 1 : 0));
            budget -= n;
        }
        stalled = scheduled.isEmpty();
        execute(scheduled, sink);
    }

    /** One sequence's part of the planned step: its next numTokens tokens, then numSamples samples. */
    private record Planned(Sequence seq, int numTokens, int numSamples) {}

    /** Several decode steps in one go only when nothing else could run meanwhile: no prompt waits or is being prefilled. */
    private boolean onlyDecoding() {
        if (!waiting.isEmpty()) {
            return false;
        }
        for (Sequence s : running) {
            if (!decodesNext(s)) {
                return false;
            }
        }
        return true;
    }

    /** True when the last step could schedule nothing (a shard is down): the caller should wait. */
    public boolean isStalled() {
        return stalled;
    }

    private static boolean decodesNext(Sequence s) {
        return s.numOutputs() > 0 && s.numComputed == s.numTokens - 1;
    }

    private Shard shardFor(Sequence s) {
        return decodesNext(s) ? decodeShard : prefillShard;
    }

    private void execute(List<Planned> scheduled, Consumer<StepOutput> sink) {
        List<SequenceStep> prefill = new ArrayList<>();
        List<SequenceStep> decode = new ArrayList<>();
        List<Sequence> prefillSeqs = new ArrayList<>();
        List<Sequence> decodeSeqs = new ArrayList<>();
        for (Planned planned : scheduled) {
            Sequence s = planned.seq();
            int n = planned.numTokens();
            boolean isDecode = n == 1 && decodesNext(s);
            boolean known = isDecode ? s.knownByDecodeShard : s.knownByPrefillShard;
            NewRequest fresh = known ? null : new NewRequest(s.requestId, s.prompt(), s.outputs(), s.params, s.numTopLogprobs);
            SequenceStep step = new SequenceStep(s.requestId, Arrays.copyOfRange(s.tokens, s.numComputed, s.numComputed + n),
                    s.numComputed, kv.blockTable(s.requestId), planned.numSamples(), fresh);
            if (isDecode) {
                s.knownByDecodeShard = true;
                decode.add(step);
                decodeSeqs.add(s);
            } else {
                s.knownByPrefillShard = true;
                prefill.add(step);
                prefillSeqs.add(s);
            }
        }
        // Overlapping, both shards work at once: the decode step is sent before the prefill step's
        // tokens are awaited. Otherwise it is sent after them, as one process would run the two.
        boolean overlap = config.overlapShardSteps();
        Started prefillStep = start(StepKind.PREFILL, prefillShard, prefill, endedForPrefill);
        if (!overlap) {
            collect(prefillStep, prefillSeqs).forEach(sink);
        }
        Started decodeStep = start(StepKind.DECODE, decodeShard, decode, endedForDecode);
        if (overlap) {
            collect(prefillStep, prefillSeqs).forEach(sink);
        }
        collect(decodeStep, decodeSeqs).forEach(sink);
    }

    /** A step handed to a shard (pending is null if the shard failed at once, with failure set). */
    private record Started(StepKind kind, StepBatch batch, Shard.PendingStep pending, ShardFailedException failure, long startNanos) {}

    private Started start(StepKind kind, Shard shard, List<SequenceStep> steps, List<String> ended) {
        if (steps.isEmpty()) {
            return null;
        }
        StepBatch batch = new StepBatch(kind, steps, List.copyOf(ended));
        ended.clear();
        long t0 = System.nanoTime();
        try {
            return new Started(kind, batch, shard.start(batch), null, t0);
        } catch (ShardFailedException e) {
            return new Started(kind, batch, null, e, t0);
        }
    }

    /** Awaits a step's tokens and applies them to its sequences; returns what the requests got. */
    private List<StepOutput> collect(Started step, List<Sequence> seqs) {
        List<StepOutput> outputs = new ArrayList<>();
        if (step == null) {
            return outputs;
        }
        List<SampledToken> sampled;
        try {
            if (step.failure() != null) {
                throw step.failure();
            }
            sampled = step.pending().await();
        } catch (ShardFailedException e) {
            recomputeSequencesOf(step.kind());
            listener.onShardFailure(step.kind(), e.getMessage());
            return outputs;
        }
        List<SequenceStep> steps = step.batch().sequences();
        long nanos = System.nanoTime() - step.startNanos();
        int next = 0, computedTokens = 0, rounds = 0;
        for (int i = 0; i < seqs.size(); i++) {
            Sequence s = seqs.get(i);
            SequenceStep seqStep = steps.get(i);
            FinishReason reason = null;
            int accepted = 0, computed = 0;
            for (int j = 0; j < seqStep.numSamples(); j++) {
                SampledToken t = sampled.get(next++);
                if (!t.isComputed()) {
                    continue; // the step was cut short before this round
                }
                computed++;
                if (reason != null) {
                    continue; // computed past the end of the sequence: dropped
                }
                s.append(t.token());
                accepted++;
                reason = s.finishAfter(t.token(), config.maxModelLen());
                outputs.add(new StepOutput(s.requestId, t.token(), t.logprob(), t.topTokens(), t.topLogprobs(), reason, s.promptLength,
                        Math.max(0, s.numCachedPromptTokens)));
            }
            // Every sampled token but the last was fed back, so its KV is computed too.
            s.numComputed += seqStep.tokens().length + Math.max(0, accepted - 1);
            computedTokens += seqStep.tokens().length + Math.max(0, computed - 1);
            rounds = Math.max(rounds, computed);
            kv.cacheComputed(s.requestId, s.tokens, s.numComputed);
            if (reason != null) {
                end(s, reason);
            }
        }
        listener.onStep(step.kind(), computedTokens, steps.size(), nanos);
        if (step.kind() == StepKind.DECODE) {
            decodeStepsPolicy.observe(nanos, Math.max(1, rounds));
        }
        return outputs;
    }

    /**
     * A shard lost its state: every running sequence that still needs it goes back to the head of
     * the queue, in its order, blocks freed, to be computed again (from the prefix cache where it
     * can). A lost prefill shard takes the sequences it was prefilling; a lost decode shard takes
     * every decoding sequence. Sequences that moved on to the decode shard no longer need the
     * prefill shard.
     */
    private void recomputeSequencesOf(StepKind kind) {
        for (int i = running.size() - 1; i >= 0; i--) {
            Sequence s = running.get(i);
            boolean held = kind == StepKind.DECODE ? s.knownByDecodeShard : s.knownByPrefillShard && !s.knownByDecodeShard;
            if (held) {
                requeue(s);
            }
        }
    }

    private void preempt(Sequence s) {
        requeue(s);
        listener.onPreemption();
    }

    private void requeue(Sequence s) {
        forgetOnShards(s);
        kv.free(s.requestId);
        running.remove(s);
        s.status = Sequence.Status.WAITING;
        s.numComputed = 0;
        s.knownByPrefillShard = false;
        s.knownByDecodeShard = false;
        waiting.addFirst(s);
    }

    /** Queues the request's end for the shards that were sent it (a replaced shard ignores ids it never saw). */
    private void forgetOnShards(Sequence s) {
        if (s.knownByPrefillShard) {
            endedForPrefill.add(s.requestId);
        }
        if (s.knownByDecodeShard) {
            endedForDecode.add(s.requestId);
        }
    }

    private void end(Sequence s, FinishReason reason) {
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
}
