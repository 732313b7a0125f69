package dev.tandem.engine;

import dev.tandem.request.FinishReason;
import dev.tandem.request.StopChecker;
import dev.tandem.scheduler.Scheduler;
import dev.tandem.scheduler.SchedulerStats;
import dev.tandem.scheduler.SchedulingPolicy;
import dev.tandem.scheduler.Sequence;
import dev.tandem.scheduler.StepOutput;
import dev.tandem.tokenizer.IncrementalDetokenizer;
import dev.tandem.tokenizer.TextTokenizer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Owns the request lifecycle. One loop thread runs the scheduler step after step; requests and
 * aborts from other threads arrive through an inbox it drains between steps, so an abort takes
 * effect within one step. Generated ids become text here (incremental detokenizing, stop strings)
 * and go to each request's observer.
 */
public final class Engine implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Engine.class.getName());

    private final Scheduler scheduler;
    private final TextTokenizer tokenizer;
    private final EngineConfig config;
    private final EngineListener listener;
    private final LinkedBlockingQueue<Runnable> inbox = new LinkedBlockingQueue<>();
    private final Map<String, LiveRequest> live = new HashMap<>();
    private final AtomicInteger numQueued = new AtomicInteger();
    private final Thread loop;
    private volatile boolean draining;
    private volatile long drainDeadline;
    private volatile boolean stopped;
    private volatile EngineSnapshot snapshot = EngineSnapshot.EMPTY;
    /** Requests in the scheduler's queue at the last loop; with numQueued, what a new request waits behind. */
    private volatile int schedulerWaiting;

    private static final class LiveRequest {
        final EngineRequest request;
        final RequestObserver observer;
        final IncrementalDetokenizer detokenizer;
        final StopChecker stops;
        final long arrivalNanos = System.nanoTime();
        long firstTokenNanos;
        int generated;
        /** Filled as the prompt is computed; handed on (and dropped) before the first token. */
        PromptLogprobs promptLogprobs;

        LiveRequest(EngineRequest request, RequestObserver observer, TextTokenizer tokenizer) {
            this.request = request;
            this.observer = observer;
            this.detokenizer = new IncrementalDetokenizer(tokenizer, true);
            this.stops = new StopChecker(request.params(), List.of());
            this.promptLogprobs = request.numPromptLogprobs() >= 0 ? PromptLogprobs.of(request.promptTokens()) : null;
        }
    }

    public Engine(Scheduler scheduler, TextTokenizer tokenizer, EngineConfig config, EngineListener listener) {
        this.scheduler = scheduler;
        this.tokenizer = tokenizer;
        this.config = config;
        this.listener = listener;
        this.loop = Thread.ofPlatform().name("tandem-engine").daemon().start(this::run);
    }

    public EngineConfig config() {
        return config;
    }

    public TextTokenizer tokenizer() {
        return tokenizer;
    }

    public int maxModelLen() {
        return scheduler.config().maxModelLen();
    }

    /** Whether requests may carry a priority: the scheduler runs the priority policy. */
    public boolean takesPriorities() {
        return scheduler.config().policy() == SchedulingPolicy.PRIORITY;
    }

    /** Queues a request. @throws EngineRejectedException when full or shutting down */
    public void submit(EngineRequest request, RequestObserver observer) {
        if (draining || stopped) {
            throw new EngineRejectedException(EngineRejectedException.Why.SHUTTING_DOWN, "the server is shutting down");
        }
        if (request.promptTokens().length >= maxModelLen()) {
            throw new IllegalArgumentException("the prompt has " + request.promptTokens().length
                    + " tokens; this model's context is " + maxModelLen() + " tokens");
        }
        if (schedulerWaiting + numQueued.incrementAndGet() > config.maxWaitingRequests()) {
            numQueued.decrementAndGet();
            throw new EngineRejectedException(
                    EngineRejectedException.Why.QUEUE_FULL,
                    "too many requests are waiting (" + config.maxWaitingRequests() + "); retry shortly");
        }
        inbox.add(() -> {
            numQueued.decrementAndGet();
            live.put(request.requestId(), new LiveRequest(request, observer, tokenizer));
            scheduler.add(new Sequence(
                            request.requestId(),
                            request.promptTokens(),
                            request.params(),
                            config.eosTokenIds(),
                            request.numTopLogprobs(),
                            request.priority())
                    .withPromptLogprobs(request.numPromptLogprobs()));
            listener.onRequestQueued(request.priority());
        });
        scheduler.interruptDecode(); // admitted after the decode round in flight, not after its whole window
    }

    /** Ends a request (its client went away); safe from any thread, effective within one step. */
    public void abort(String requestId) {
        inbox.add(() -> {
            StepOutput o = scheduler.finish(requestId, FinishReason.ABORT);
            LiveRequest r = live.get(requestId);
            if (o != null && r != null) {
                complete(r, FinishReason.ABORT, o);
            }
        });
        scheduler.interruptDecode();
    }

    /** Each shard's role and state ("ready: ..." or "down: ..."), for health data. */
    public Map<String, String> shardStates() {
        return scheduler.shardStates();
    }

    public boolean shardsReady() {
        return scheduler.shardsReady();
    }

    public EngineSnapshot snapshot() {
        return snapshot;
    }

    /** True while the loop thread runs and has been around its loop recently. */
    public boolean isAlive(Duration within) {
        return loop.isAlive() && System.nanoTime() - snapshot.lastLoopNanos() < within.toNanos();
    }

    public boolean isDraining() {
        return draining;
    }

    /** Stops taking requests, lets running ones finish for up to grace, aborts the rest, stops. */
    public void drain(Duration grace) {
        drainDeadline = System.nanoTime() + grace.toNanos();
        draining = true;
        inbox.add(() -> {});
        try {
            loop.join(grace.toMillis() + 10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        drain(Duration.ZERO);
    }

    private void run() {
        while (!stopped) {
            try {
                // A stalled scheduler (a shard restarting) has work it cannot run yet: wait instead of spinning.
                Runnable command = scheduler.hasWork() && !scheduler.isStalled()
                        ? inbox.poll()
                        : inbox.poll(20, TimeUnit.MILLISECONDS);
                while (command != null) {
                    command.run();
                    command = inbox.poll();
                }
                if (draining && (!scheduler.hasWork() || System.nanoTime() > drainDeadline)) {
                    for (LiveRequest r : new ArrayList<>(live.values())) {
                        StepOutput o = scheduler.finish(r.request.requestId(), FinishReason.ABORT);
                        complete(r, FinishReason.ABORT, o);
                    }
                    stopped = true;
                } else if (scheduler.hasWork()) {
                    scheduler.step(this::handle);
                }
            } catch (InterruptedException e) {
                stopped = true;
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "engine step failed; aborting its requests", e);
                for (LiveRequest r : new ArrayList<>(live.values())) {
                    complete(r, FinishReason.ABORT, scheduler.finish(r.request.requestId(), FinishReason.ABORT));
                }
            }
            publishSnapshot();
        }
    }

    private void handle(StepOutput o) {
        LiveRequest r = live.get(o.requestId());
        if (r == null) {
            return;
        }
        if (o.promptPosition() >= 0) {
            if (r.promptLogprobs != null) {
                r.promptLogprobs.set(o.promptPosition(), o.logprob(), o.topTokens(), o.topLogprobs());
            }
            return;
        }
        if (o.embedding() != null) {
            r.observer.onEmbedding(o.embedding());
            complete(r, FinishReason.STOP, o);
            return;
        }
        if (r.promptLogprobs != null && o.hasToken()) {
            r.observer.onPromptLogprobs(r.promptLogprobs);
            r.promptLogprobs = null;
        }
        FinishReason reason = o.finishReason();
        if (o.hasToken()) {
            r.generated++;
            long now = System.nanoTime();
            if (r.firstTokenNanos == 0) {
                r.firstTokenNanos = now;
                listener.onFirstToken((now - r.arrivalNanos) / 1e9, r.request.priority());
            }
            if (reason != FinishReason.STOP) {
                // A stop or EOS token ends the text; its own text is never shown.
                String text = r.stops.filter(r.detokenizer.add(o.token()));
                r.observer.onToken(new GeneratedToken(o.token(), text, o.logprob(), o.topTokens(), o.topLogprobs()));
                if (reason == null && r.stops.isFinished()) {
                    reason = FinishReason.STOP;
                    scheduler.finish(o.requestId(), reason);
                }
            }
        }
        if (reason != null) {
            complete(r, reason, o);
        }
    }

    private void complete(LiveRequest r, FinishReason reason, StepOutput o) {
        if (live.remove(r.request.requestId()) == null) {
            return;
        }
        String rest = reason == FinishReason.ABORT ? "" : r.stops.filter(r.detokenizer.finish()) + r.stops.flush();
        int prompt = r.request.promptTokens().length;
        int cached = o == null ? 0 : o.cachedPromptTokens();
        r.observer.onFinish(new RequestSummary(reason, rest, prompt, r.generated, cached));
        double e2e = (System.nanoTime() - r.arrivalNanos) / 1e9;
        double tpot = r.generated > 1 ? (System.nanoTime() - r.firstTokenNanos) / 1e9 / (r.generated - 1) : 0;
        listener.onRequestFinished(reason, prompt, r.generated, e2e, tpot);
    }

    private void publishSnapshot() {
        SchedulerStats stats = scheduler.stats();
        schedulerWaiting = stats.numWaiting();
        snapshot = new EngineSnapshot(
                System.nanoTime(),
                stats.numRunning(),
                stats.numWaiting() + numQueued.get(),
                stats.kvBlocksInUse(),
                stats.kvBlocksTotal(),
                stats.prefixQueries(),
                stats.prefixHits(),
                stats.byPriority());
    }
}
