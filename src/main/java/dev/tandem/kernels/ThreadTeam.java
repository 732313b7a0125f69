package dev.tandem.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A fixed team of threads that share out the chunks of one parallel loop at a time; the calling
 * thread works too. Workers spin briefly between loops before parking, because a forward pass runs
 * hundreds of short loops per token and waking a parked thread costs more than most of them.
 * Nothing is allocated per loop.
 */
public final class ThreadTeam implements AutoCloseable {
    /** One chunk of a parallel loop; {@code worker} indexes per-thread scratch (0 = caller). */
    @FunctionalInterface
    public interface Body {
        void run(int chunk, int worker);
    }

    private static final int SPINS_BEFORE_PARK = 200_000;

    private final Thread[] workers;
    private final AtomicInteger nextChunk = new AtomicInteger();
    private final AtomicInteger finishedWorkers = new AtomicInteger();
    private volatile Body body;
    private volatile int numChunks;
    private volatile long generation;
    private volatile boolean closed;
    private volatile Throwable failure;

    public ThreadTeam(int size) {
        if (size < 1) {
            throw new IllegalArgumentException("thread team size must be >= 1, got " + size);
        }
        workers = new Thread[size - 1];
        for (int i = 0; i < workers.length; i++) {
            int worker = i + 1;
            workers[i] = Thread.ofPlatform().daemon().name("tandem-kernel-" + worker).start(() -> workLoop(worker));
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
        body = loopBody;
        numChunks = n;
        nextChunk.set(0);
        finishedWorkers.set(0);
        generation = generation + 1;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        work(0);
        // Every worker must leave work() before the next loop resets the chunk counter.
        while (finishedWorkers.get() < workers.length) {
            Thread.onSpinWait();
        }
        Throwable t = failure;
        if (t != null) {
            failure = null;
            throw new IllegalStateException("kernel worker failed", t);
        }
    }

    private void work(int worker) {
        Body b = body;
        int n = numChunks;
        for (int i = nextChunk.getAndIncrement(); i < n; i = nextChunk.getAndIncrement()) {
            try {
                b.run(i, worker);
            } catch (Throwable t) {
                failure = t;
            }
        }
    }

    private void workLoop(int worker) {
        long seen = 0;
        while (!closed) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < SPINS_BEFORE_PARK) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            work(worker);
            finishedWorkers.incrementAndGet();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
