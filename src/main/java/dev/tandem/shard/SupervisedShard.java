package dev.tandem.shard;

import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;

/**
 * A shard process under supervision: started and awaited at construction, watched while it runs,
 * and replaced when it dies or hangs. A step that runs longer than the step timeout means the
 * worker hangs: it is killed (which also ends a stopped process). A dead worker is killed for
 * good (waited for, so it can no longer write KV), and a new one is started after a backoff
 * that doubles while workers keep dying young. While it is down the shard is not ready, and its
 * steps fail at once with {@link ShardFailedException}: the scheduler then recomputes every
 * sequence the lost worker held. A worker that dies between steps is reported by the next step.
 */
public final class SupervisedShard implements Shard {
    private static final System.Logger LOG = System.getLogger(SupervisedShard.class.getName());

    /** Timeouts and backoff of the supervision. */
    public record Policy(Duration stepTimeout, Duration startupTimeout, Duration initialBackoff, Duration maxBackoff) {}

    private final WorkerOptions options;
    private final Policy policy;
    private final ShardListener listener;
    private final Thread watchdog;
    private volatile ProcessShard current;
    /** When the step in flight was sent (0: none). */
    private volatile long stepStartedNanos;

    private volatile String lastFailure = "";
    private volatile boolean closed;
    /** A worker lost between steps, not yet reported to the scheduler. */
    private ProcessShard unreportedLoss;

    private long upSinceNanos;
    private int youngDeaths;
    private int restarts;

    public SupervisedShard(WorkerOptions options, Policy policy, ShardListener listener) {
        this.options = options;
        this.policy = policy;
        this.listener = listener;
        this.current = new ProcessShard(options, policy.startupTimeout());
        this.upSinceNanos = System.nanoTime();
        this.watchdog = Thread.ofPlatform()
                .daemon()
                .name("tandem-" + options.role() + "-watchdog")
                .start(this::watch);
    }

    @Override
    public PendingStep start(StepBatch batch) {
        ProcessShard s;
        synchronized (this) {
            if (unreportedLoss != null) {
                unreportedLoss = null;
                throw new ShardFailedException(options.role(), "lost since the last step: " + lastFailure, null);
            }
            s = current;
        }
        if (s == null) {
            throw new ShardFailedException(options.role(), "down, restarting (" + lastFailure + ")", null);
        }
        stepStartedNanos = System.nanoTime();
        PendingStep pending;
        try {
            pending = s.start(batch);
        } catch (RuntimeException e) {
            throw failedStep(s, e);
        }
        return () -> {
            try {
                List<SampledToken> tokens = pending.await();
                stepStartedNanos = 0;
                return tokens;
            } catch (RuntimeException e) {
                throw failedStep(s, e);
            }
        };
    }

    private ShardFailedException failedStep(ProcessShard s, RuntimeException e) {
        stepStartedNanos = 0;
        lose(s, e.getMessage(), true);
        return e instanceof ShardFailedException f
                ? f
                : new ShardFailedException(options.role(), String.valueOf(e.getMessage()), e);
    }

    @Override
    public List<SampledToken> execute(StepBatch batch) {
        return start(batch).await();
    }

    /** Kills the worker if it is still the current one, marks the shard down, and schedules its replacement. */
    private void lose(ProcessShard s, String reason, boolean reportedByStep) {
        synchronized (this) {
            if (reportedByStep && unreportedLoss == s) {
                unreportedLoss = null; // the failed step reports it
            }
            if (current != s || closed) {
                return;
            }
            current = null;
            lastFailure = reason;
            if (!reportedByStep) {
                unreportedLoss = s;
            }
            boolean young =
                    System.nanoTime() - upSinceNanos < policy.maxBackoff().toNanos() * 2;
            youngDeaths = young ? youngDeaths + 1 : 1;
        }
        s.kill();
        LOG.log(Level.WARNING, "{0} shard lost: {1}; restarting", options.role(), reason);
        Thread.ofPlatform()
                .daemon()
                .name("tandem-" + options.role() + "-restart")
                .start(this::restart);
    }

    private void restart() {
        long backoff = policy.initialBackoff().toMillis() << Math.min(20, youngDeaths - 1);
        backoff = Math.min(backoff, policy.maxBackoff().toMillis());
        while (!closed) {
            try {
                Thread.sleep(backoff);
                ProcessShard fresh = new ProcessShard(options, policy.startupTimeout());
                int n;
                synchronized (this) {
                    if (closed) {
                        fresh.close();
                        return;
                    }
                    current = fresh;
                    upSinceNanos = System.nanoTime();
                    n = ++restarts;
                }
                LOG.log(Level.INFO, "{0} shard restarted: {1}", options.role(), fresh.describe());
                listener.onShardRestarted(options.role(), n);
                return;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "{0} shard did not restart: {1}", options.role(), e.getMessage());
                lastFailure = e.getMessage();
                backoff = Math.min(backoff * 2, policy.maxBackoff().toMillis());
            }
        }
    }

    /** Notices workers that died between steps and steps that run past the timeout. */
    private void watch() {
        long period = Math.max(20, Math.min(200, policy.stepTimeout().toMillis() / 10));
        while (!closed) {
            try {
                Thread.sleep(period);
            } catch (InterruptedException e) {
                return;
            }
            ProcessShard s = current;
            if (s == null) {
                continue;
            }
            long started = stepStartedNanos;
            if (started != 0
                    && System.nanoTime() - started > policy.stepTimeout().toNanos()) {
                lose(
                        s,
                        "a step ran longer than " + policy.stepTimeout().toMillis() + " ms (hung); killed process "
                                + s.pid(),
                        false);
            } else if (!s.isReady()) {
                lose(s, "process " + s.pid() + " exited", false);
            }
        }
    }

    @Override
    public boolean isReady() {
        ProcessShard s = current;
        return s != null && s.isReady();
    }

    @Override
    public String describe() {
        ProcessShard s = current;
        return s != null ? s.describe() : options.role() + " (down: " + lastFailure + "; restarting)";
    }

    @Override
    public void close() {
        ProcessShard s;
        synchronized (this) {
            closed = true;
            s = current;
            current = null;
        }
        watchdog.interrupt();
        if (s != null) {
            s.close();
        }
    }
}
