package dev.tandem.kernels;

import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Every chunk of every loop runs exactly once, and never after its loop has returned, however
 * late a worker wakes: loops alternate between few and many chunks (a late worker once claimed a
 * chunk of the next, longer loop through the finished loop's counter, so that chunk ran twice and
 * the caller returned while it still ran), with more threads than this machine's cores.
 */
class ThreadTeamTest {
    @Test
    void eachChunkRunsOnceAndWithinItsLoop() {
        int loops = 200_000;
        int[] runs = new int[64];
        AtomicReference<String> problem = new AtomicReference<>();
        try (ThreadTeam team = new ThreadTeam(4)) {
            for (int loop = 0; loop < loops && problem.get() == null; loop++) {
                int n = loop % 2 == 0 ? 2 : 2 + loop % 48;
                int[] live = new int[] {loop}; // the loop's state, as Matmul keeps it in fields while it runs
                final int current = loop;
                java.util.Arrays.fill(runs, 0, n, 0);
                team.run(n, (chunk, worker) -> {
                    if (live[0] != current) {
                        problem.compareAndSet(
                                null, "chunk " + chunk + " of loop " + current + " ran after its loop returned");
                    }
                    synchronized (runs) {
                        runs[chunk]++;
                    }
                });
                live[0] = -1;
                for (int c = 0; c < n; c++) {
                    if (runs[c] != 1) {
                        problem.compareAndSet(
                                null,
                                "chunk " + c + " of loop " + loop + " (" + n + " chunks) ran " + runs[c] + " times");
                    }
                }
            }
        }
        assertNull(problem.get());
    }
}
