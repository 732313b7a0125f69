package dev.tandem.observability;

import dev.tandem.engine.Engine;
import dev.tandem.engine.EngineListener;
import dev.tandem.engine.EngineSnapshot;
import dev.tandem.kernels.KernelPath;
import dev.tandem.request.FinishReason;
import dev.tandem.scheduler.Scheduler;
import dev.tandem.scheduler.SchedulerStats;
import dev.tandem.scheduler.StepListener;
import dev.tandem.shard.ShardListener;
import dev.tandem.shard.StepKind;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * The engine's meters, named after vLLM's with the prefix {@code tandem_} and units in the
 * names. Request and step events arrive as listener calls; gauges read the engine's snapshot.
 */
@ApplicationScoped
public class EngineMetrics implements EngineListener, StepListener, ShardListener {
    private final MeterRegistry registry;
    private final Timer timeToFirstToken;
    private final Timer timePerOutputToken;
    private final Timer e2eLatency;
    private final Counter promptTokens;
    private final Counter generationTokens;
    private final Counter preemptions;
    private final Map<FinishReason, Counter> finished = new EnumMap<>(FinishReason.class);
    private final Map<StepKind, Timer> stepDuration = new EnumMap<>(StepKind.class);
    private final Map<StepKind, DistributionSummary> stepSequences = new EnumMap<>(StepKind.class);
    private final Map<StepKind, DistributionSummary> stepTokens = new EnumMap<>(StepKind.class);
    private final Map<StepKind, Counter> shardFailures = new EnumMap<>(StepKind.class);
    private final Map<StepKind, Counter> shardRestarts = new EnumMap<>(StepKind.class);
    private static final SchedulerStats.Counts NO_REQUESTS = new SchedulerStats.Counts(0, 0);
    private final Map<Integer, Timer> ttftByPriority = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Engine engine;

    public EngineMetrics(MeterRegistry registry) {
        this.registry = registry;
        timeToFirstToken = latency("tandem.time_to_first_token", "Time from arrival to the first generated token");
        timePerOutputToken = latency("tandem.time_per_output_token", "Mean time between output tokens of a request");
        e2eLatency = latency("tandem.e2e_request_latency", "Time from arrival to the end of a request");
        promptTokens = Counter.builder("tandem.prompt_tokens")
                .description("Prompt tokens of finished requests")
                .register(registry);
        generationTokens = Counter.builder("tandem.generation_tokens")
                .description("Generated tokens")
                .register(registry);
        preemptions = Counter.builder("tandem.num_preemptions")
                .description("Sequences preempted for KV blocks")
                .register(registry);
        for (FinishReason r : FinishReason.values()) {
            finished.put(
                    r,
                    Counter.builder("tandem.request_success")
                            .tag("finished_reason", r.apiName())
                            .description("Finished requests by reason")
                            .register(registry));
        }
        for (StepKind k : StepKind.values()) {
            String kind = k.name().toLowerCase();
            stepDuration.put(
                    k,
                    Timer.builder("tandem.step_duration")
                            .tag("kind", kind)
                            .publishPercentileHistogram()
                            .description("Duration of one step on its shard")
                            .register(registry));
            stepSequences.put(
                    k,
                    DistributionSummary.builder("tandem.step_batch_size_sequences")
                            .tag("kind", kind)
                            .publishPercentileHistogram()
                            .description("Sequences per step")
                            .register(registry));
            stepTokens.put(
                    k,
                    DistributionSummary.builder("tandem.step_batch_size_tokens")
                            .tag("kind", kind)
                            .publishPercentileHistogram()
                            .description("Tokens per step")
                            .register(registry));
            shardFailures.put(
                    k,
                    Counter.builder("tandem.shard_failures")
                            .tag("role", kind)
                            .description(
                                    "Steps lost because the shard died, hung or was down; their sequences were recomputed")
                            .register(registry));
            shardRestarts.put(
                    k,
                    Counter.builder("tandem.shard_restarts")
                            .tag("role", kind)
                            .description("Shard processes started to replace one that died or hung")
                            .register(registry));
        }
    }

    private Timer latency(String name, String description, String... tags) {
        return Timer.builder(name)
                .tags(tags)
                .description(description)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
    }

    /** Called once the engine exists: the gauges read its snapshots from then on. */
    public void bind(Engine e, Scheduler scheduler) {
        this.engine = e;
        Gauge.builder("tandem.num_requests_running", e, x -> x.snapshot().numRunning())
                .description("Requests running")
                .register(registry);
        Gauge.builder("tandem.num_requests_waiting", e, x -> x.snapshot().numWaiting())
                .description("Requests waiting")
                .register(registry);
        Gauge.builder("tandem.kv_cache_blocks_used", e, x -> x.snapshot().kvBlocksUsed())
                .description("KV blocks held by requests")
                .register(registry);
        Gauge.builder("tandem.kv_cache_blocks_capacity", e, x -> x.snapshot().kvBlocksTotal())
                .description("KV blocks in the arena, in use or not")
                .register(registry);
        Gauge.builder("tandem.kv_cache_usage_perc", e, x -> usage(x.snapshot()))
                .description("Fraction of KV blocks in use")
                .register(registry);
        FunctionCounter.builder(
                        "tandem.prefix_cache_queries", e, x -> x.snapshot().prefixQueries())
                .description("Prompt tokens looked up in the prefix cache")
                .register(registry);
        FunctionCounter.builder("tandem.prefix_cache_hits", e, x -> x.snapshot().prefixHits())
                .description("Prompt tokens found in the prefix cache")
                .register(registry);
        Gauge.builder("tandem.kernel_path_info", () -> 1)
                .tag("path", KernelPath.current())
                .tag("requested", KernelPath.requested().name().toLowerCase(java.util.Locale.ROOT))
                .tag("vector_bits", Integer.toString(KernelPath.vectorBits()))
                .description(
                        "The kernel path this server computes with (always 1): results are bitwise reproducible within one path")
                .register(registry);
    }

    private static double usage(EngineSnapshot s) {
        return s.kvBlocksTotal() == 0 ? 0 : (double) s.kvBlocksUsed() / s.kvBlocksTotal();
    }

    /** The engine, once loaded (null before): for the health checks. */
    public Engine engine() {
        return engine;
    }

    @Override
    public void onRequestQueued(int priority) {
        priorityClass(priority);
    }

    @Override
    public void onFirstToken(double seconds, int priority) {
        Duration ttft = Duration.ofNanos((long) (seconds * 1e9));
        timeToFirstToken.record(ttft);
        Timer byPriority = priorityClass(priority);
        if (byPriority != null) {
            byPriority.record(ttft);
        }
    }

    /**
     * The meters of one priority class, registered when a request of it is first seen, under the
     * priority policy only (under fcfs every request has priority 0): its TTFT timer, and gauges of
     * its running and waiting requests. A class has as many series as the priorities clients use.
     */
    private Timer priorityClass(int priority) {
        Engine e = engine;
        if (e == null || !e.takesPriorities()) {
            return null;
        }
        return ttftByPriority.computeIfAbsent(priority, p -> {
            String tag = Integer.toString(p);
            Gauge.builder(
                            "tandem.priority_requests_running",
                            e,
                            x -> counts(x, p).running())
                    .tag("priority", tag)
                    .description("Requests running, per priority (priority policy)")
                    .register(registry);
            Gauge.builder(
                            "tandem.priority_requests_waiting",
                            e,
                            x -> counts(x, p).waiting())
                    .tag("priority", tag)
                    .description("Requests waiting, per priority (priority policy)")
                    .register(registry);
            return latency(
                    "tandem.priority_time_to_first_token",
                    "Time from arrival to the first generated token, per priority (priority policy)",
                    "priority",
                    tag);
        });
    }

    private static SchedulerStats.Counts counts(Engine e, int priority) {
        return e.snapshot().byPriority().getOrDefault(priority, NO_REQUESTS);
    }

    @Override
    public void onRequestFinished(
            FinishReason reason, int prompt, int generated, double e2eSeconds, double tpotSeconds) {
        promptTokens.increment(prompt);
        generationTokens.increment(generated);
        finished.get(reason).increment();
        e2eLatency.record(Duration.ofNanos((long) (e2eSeconds * 1e9)));
        if (generated > 1) {
            timePerOutputToken.record(Duration.ofNanos((long) (tpotSeconds * 1e9)));
        }
    }

    @Override
    public void onStep(StepKind kind, int numTokens, int numSequences, long durationNanos) {
        stepDuration.get(kind).record(Duration.ofNanos(durationNanos));
        stepSequences.get(kind).record(numSequences);
        stepTokens.get(kind).record(numTokens);
    }

    @Override
    public void onPreemption() {
        preemptions.increment();
    }

    @Override
    public void onShardFailure(StepKind kind, String reason) {
        shardFailures.get(kind).increment();
    }

    @Override
    public void onShardRestarted(String role, int restarts) {
        shardRestarts
                .get(StepKind.valueOf(role.toUpperCase(java.util.Locale.ROOT)))
                .increment();
    }
}
