package dev.tandem.scheduler;

import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.request.FinishReason;
import dev.tandem.shard.DecodeInterrupt;
import dev.tandem.shard.Shard;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Continuous batching over a prefill and a decode shard: each step the {@link StepPlanner} picks
 * what runs, the {@link StepDispatcher} runs it on the shards and collects the tokens, and
 * {@link ShardRecovery} re-queues what a failed shard held. Sequences join and leave between steps.
 */
public final class ContinuousBatchingScheduler implements Scheduler {
    private final SchedulerConfig config;
    private final KvCacheManager kv;
    private final Shard prefillShard;
    private final Shard decodeShard;
    private final SequenceQueues queues;
    private final StepPlanner planner;
    private final StepDispatcher dispatcher;
    private final DecodeInterrupt interrupt;
    private boolean stalled;

    /** A scheduler whose multi-step decodes run to the end (shards without a shared interrupt). */
    public ContinuousBatchingScheduler(
            SchedulerConfig config, KvCacheManager kv, Shard prefillShard, Shard decodeShard, StepListener listener) {
        this(config, kv, prefillShard, decodeShard, listener, DecodeInterrupt.local());
    }

    /** interrupt: the flag the decode shard reads between the rounds of a multi-step decode. */
    public ContinuousBatchingScheduler(
            SchedulerConfig config,
            KvCacheManager kv,
            Shard prefillShard,
            Shard decodeShard,
            StepListener listener,
            DecodeInterrupt interrupt) {
        this(config, kv, prefillShard, decodeShard, listener, interrupt, System::nanoTime);
    }

    /** clock: the nanosecond clock that arrival times and priority aging are read from. */
    ContinuousBatchingScheduler(
            SchedulerConfig config,
            KvCacheManager kv,
            Shard prefillShard,
            Shard decodeShard,
            StepListener listener,
            DecodeInterrupt interrupt,
            LongSupplier clock) {
        this.config = config;
        this.kv = kv;
        this.prefillShard = prefillShard;
        this.decodeShard = decodeShard;
        this.interrupt = interrupt;
        this.queues = new SequenceQueues(kv, clock);
        DecodeSteps decodeSteps = new DecodeSteps(config);
        this.planner = new StepPlanner(config, kv, queues, prefillShard, decodeShard, decodeSteps, listener);
        this.dispatcher = new StepDispatcher(config, kv, queues, prefillShard, decodeShard, listener, decodeSteps);
    }

    @Override
    public void add(Sequence s) {
        if (s.numTokens >= config.maxModelLen()) {
            throw new IllegalArgumentException(
                    "prompt of " + s.numTokens + " tokens does not fit the context of " + config.maxModelLen());
        }
        queues.add(s);
    }

    @Override
    public StepOutput finish(String requestId, FinishReason reason) {
        Sequence s = queues.get(requestId);
        if (s == null) {
            return null;
        }
        queues.end(s, reason);
        int cached = Math.max(0, s.numCachedPromptTokens);
        return new StepOutput(requestId, -1, Float.NaN, null, null, reason, s.promptLength, cached, -1, null);
    }

    @Override
    public boolean hasWork() {
        return !queues.waiting.isEmpty() || !queues.running.isEmpty();
    }

    @Override
    public boolean isStalled() {
        return stalled;
    }

    @Override
    public void step(Consumer<StepOutput> sink) {
        interrupt.clear();
        List<StepPlanner.Planned> scheduled = planner.plan();
        stalled = scheduled.isEmpty();
        dispatcher.execute(scheduled, sink);
    }

    @Override
    public void interruptDecode() {
        interrupt.raise();
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public SchedulerStats stats() {
        KvCacheManager.Usage u = kv.usage();
        return new SchedulerStats(
                queues.running.size(),
                queues.waiting.size(),
                u.blocksInUse(),
                u.blocksTotal(),
                u.prefixQueries(),
                u.prefixHits(),
                config.policy() == SchedulingPolicy.PRIORITY ? queues.countsByPriority() : Map.of());
    }

    @Override
    public Map<String, String> shardStates() {
        return Map.of("prefill", state(prefillShard), "decode", state(decodeShard));
    }

    @Override
    public boolean shardsReady() {
        return prefillShard.isReady() && decodeShard.isReady();
    }

    private static String state(Shard shard) {
        return (shard.isReady() ? "ready: " : "down: ") + shard.describe();
    }
}
