package dev.tandem.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that share out the chunks of one parallel loop at a time; the calling
 * thread works too. Workers spin briefly between loops before parking, because a forward pass runs
 * hundreds of short loops per token and waking a parked thread costs more than most of them.
 *
 * <p>The caller never waits for a worker that has not started: chunks are claimed from a counter
 * tagged with the loop's number, so a worker that wakes late finds the loop gone and takes nothing,
 * and the caller only waits until every chunk is done. On a machine shared with the HTTP threads a
 * worker is often descheduled; waiting for it to wake would idle the caller. Nothing is allocated
 * per loop.
 */
public final class ThreadTeam implements AutoCloseable {
    /** One chunk of a parallel loop; {@code worker} indexes per-thread scratch (0 = caller). */
    @FunctionalInterface
    public interface Body {
        void run(int chunk, int worker);
    }

    private static final int SPINS_BEFORE_PARK = 20_000;

    private final Thread[] workers;
    /** High 32 bits: the loop's number; low 32 bits: the next chunk to hand out. */
    private final AtomicLong claims = new AtomicLong();

    private final AtomicInteger doneChunks = new AtomicInteger();
    private volatile Body body;
    private volatile int numChunks;
    private volatile boolean closed;
    private volatile boolean resting;
    private volatile Throwable failure;

    public ThreadTeam(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("thread team size must be >= 1, got " + size);
        }
        workers = new Thread[size - 1];
        for (int i = 0; i < workers.length; i++) {
            int worker = i + 1;
            workers[i] =
                    Thread.ofPlatform().daemon().name("tandem-kernel-" + worker).start(() -> workLoop(worker));
        }
    }

    public int size() {
        return workers.length + 1;
    }

    /** Runs body for chunks 0..n-1 across the team and returns when all are done. */
    public void run(int n, Body loopBody) {
        if (workers.length == 0 || n <= 1) {
            for (int i = 0; i < n; i++) {
                loopBody.run(i, 0);
            }
            return;
        }
        long loop = (claims.get() >>> 32) + 1;
        // Close the previous loop's counter before publishing this loop's chunk count: a worker
        // that read the old counter late would otherwise see it below the new count and claim a
        // chunk of this loop through it (run twice, and counted done while it still ran).
        claims.set(((loop - 1) << 32) | Integer.MAX_VALUE);
        resting = false;
        body = loopBody;
        numChunks = n;
        doneChunks.set(0);
        claims.set(loop << 32);
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        work(loop, 0);
        while (doneChunks.get() < n) {
            Thread.onSpinWait();
        }
        Throwable t = failure;
        if (t != null) {
            failure = null;
            throw new IllegalStateException("kernel worker failed", t);
        }
    }

    /** Claims and runs chunks of the given loop until none is left (nothing if it has ended). */
    private void work(long loop, int worker) {
        while (true) {
            long state = claims.get();
            int chunk = (int) state;
            // Body and count are read before the claim: a successful claim proves the loop they
            // belong to is still the current one.
            Body b = body;
            int n = numChunks;
            if (state >>> 32 != loop || chunk >= n) {
                return;
            }
            if (!claims.compareAndSet(state, state + 1)) {
                continue;
            }
            try {
                b.run(chunk, worker);
            } catch (Throwable t) {
                failure = t;
            }
            doneChunks.incrementAndGet();
        }
    }

    private void workLoop(int worker) {
        long seen = 0;
        while (!closed) {
            int spins = 0;
            long loop;
            while ((loop = claims.get() >>> 32) == seen && !closed) {
                if (++spins < SPINS_BEFORE_PARK && !resting) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = loop;
            work(loop, worker);
        }
    }

    /**
     * Tells the workers to park now instead of spinning for the next loop: the caller is about to
     * wait for something slow (a shard process for its next step), and a spinning worker would
     * take a core from the threads that produce it. The next run wakes them.
     */
    public void rest() {
        resting = true;
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
