package dev.tandem.scheduler;

import dev.tandem.request.FinishReason;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the engine sees of scheduling, as vLLM V1's SchedulerInterface: requests go in, each step
 * plans a batch, runs it on the shards and hands back every request's new tokens or end. Not
 * thread-safe, but for interruptDecode: the engine's loop thread owns it.
 */
public interface Scheduler {
    /** Queues a request; refused (IllegalArgumentException) if its prompt does not fit the context or its id is taken. */
    void add(Sequence s);

    /** Ends a request now (client gone, stop string seen); its blocks return at once. Null if it is not known. */
    StepOutput finish(String requestId, FinishReason reason);

    boolean hasWork();

    /** True when the last step could schedule nothing (a shard is down): the caller should wait. */
    boolean isStalled();

    /**
     * Plans one step, runs it on the shards, and hands each request's new tokens or end to sink:
     * the prefill shard's as soon as they are in, while the decode shard may still compute, so that
     * a first token does not wait for a decode step running beside it. The sink may finish requests.
     */
    void step(Consumer<StepOutput> sink);

    /**
     * Thread-safe: makes a multi-step decode in flight return after its current round, because a
     * request arrived or was aborted and should not wait for the rest. Call it after handing the
     * change to the loop thread: a step planned from then on sees it.
     */
    void interruptDecode();

    SchedulerConfig config();

    /** Queue lengths and KV-cache usage as of now, for gauges. */
    SchedulerStats stats();

    /** Each shard's state for health data: "ready: ..." or "down: ...". */
    Map<String, String> shardStates();

    boolean shardsReady();
}
