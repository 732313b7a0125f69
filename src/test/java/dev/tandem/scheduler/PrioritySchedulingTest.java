package dev.tandem.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kvcache.BlockPool;
import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.shard.DecodeInterrupt;
import dev.tandem.shard.LocalShard;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The priority policy: admission order, aging, and which request is preempted when blocks run out. */
class PrioritySchedulingTest {
    static DemoRunner demo;

    @BeforeAll
    static void load() throws Exception {
        demo = new DemoRunner();
    }

    @AfterAll
    static void close() {
        demo.close();
    }

    /** A scheduler over the demo model on a clock the test moves; counts preemptions. */
    static final class Run {
        final AtomicLong clock = new AtomicLong();
        final KvCacheManager kv;
        final Scheduler scheduler;
        final int numBlocks;
        int preemptions;
        final List<String> finished = new ArrayList<>();
        final Map<String, List<Integer>> tokens = new HashMap<>();

        Run(int numBlocks, SchedulerConfig config) {
            this.numBlocks = numBlocks;
            kv = new KvCacheManager(new BlockPool(numBlocks), 16, false, 1);
            LocalShard shard = new LocalShard("cpu", demo.runner, List.of(0, 2));
            scheduler = new ContinuousBatchingScheduler(
                    config,
                    kv,
                    shard,
                    shard,
                    new StepListener() {
                        @Override
                        public void onPreemption() {
                            preemptions++;
                        }
                    },
                    DecodeInterrupt.local(),
                    clock::get);
        }

        void add(String id, int promptSeed, int promptLength, int priority, int maxTokens) {
            scheduler.add(new Sequence(
                    id,
                    SchedulerTest.prompt(promptSeed, promptLength),
                    SchedulerTest.greedy(maxTokens),
                    List.of(0, 2),
                    -1,
                    priority));
        }

        void step() {
            for (StepOutput o : DemoRunner.step(scheduler)) {
                if (o.hasToken()) {
                    tokens.computeIfAbsent(o.requestId(), k -> new ArrayList<>())
                            .add(o.token());
                }
                if (o.finishReason() != null) {
                    finished.add(o.requestId());
                }
            }
        }

        void stepUntilATokenOf(String id) {
            for (int steps = 0; !tokens.containsKey(id); steps++) {
                assertTrue(steps < 100, id + " gets a token");
                step();
            }
        }

        List<String> runAll() {
            for (int steps = 0; scheduler.hasWork(); steps++) {
                assertTrue(steps < 10_000, "the scheduler finishes");
                step();
            }
            assertEquals(numBlocks, kv.usage().blocksAllocatable(), "every block is back");
            return finished;
        }

        int[] tokensOf(String id) {
            return tokens.get(id).stream().mapToInt(Integer::intValue).toArray();
        }
    }

    static SchedulerConfig oneAtATime() {
        return new SchedulerConfig(64, 1, 1024);
    }

    @Test
    void smallerPriorityRunsFirstAndEqualPrioritiesKeepArrivalOrder() {
        Run fcfs = new Run(64, oneAtATime());
        Run priority = new Run(64, oneAtATime().withPriority(Duration.ZERO));
        for (Run r : List.of(fcfs, priority)) {
            r.add("a", 1, 8, 5, 3);
            r.add("b", 2, 8, 1, 3);
            r.add("c", 3, 8, 3, 3);
            r.add("d", 4, 8, 1, 3);
        }
        assertEquals(List.of("a", "b", "c", "d"), fcfs.runAll());
        assertEquals(List.of("b", "d", "c", "a"), priority.runAll());
        for (String id : List.of("a", "b", "c", "d")) {
            assertArrayEquals(fcfs.tokensOf(id), priority.tokensOf(id), "the order changes no output: " + id);
        }
    }

    @Test
    void agingLetsALongWaitingLowPriorityOvertakeNewcomers() {
        Run aged = new Run(64, oneAtATime().withPriority(Duration.ofSeconds(1)));
        Run notAged = new Run(64, oneAtATime().withPriority(Duration.ZERO));
        for (Run r : List.of(aged, notAged)) {
            r.add("busy", 1, 8, 0, 2); // holds the only slot while the others queue
            r.stepUntilATokenOf("busy");
            r.add("low", 2, 8, 3, 2);
            r.clock.addAndGet(Duration.ofMillis(3_500).toNanos()); // low has aged by 3 levels: 3 - 3 = 0
            r.add("urgent", 3, 8, 0, 2);
            r.add("later", 4, 8, 1, 2);
        }
        // Ties go by arrival: low (effective 0, arrived first) before urgent (0).
        assertEquals(List.of("busy", "low", "urgent", "later"), aged.runAll());
        assertEquals(List.of("busy", "urgent", "later", "low"), notAged.runAll());
    }

    @Test
    void aWaitingRequestThatOutranksRunningOnesTakesTheirBlocks() {
        // 16 blocks of 16 tokens: the long low-priority request holds 13 (15 at its end), the urgent
        // one needs 4 for its first prompt chunk and 8 in all.
        SchedulerConfig limits = new SchedulerConfig(64, 4, 1024);
        Run fcfs = new Run(16, limits);
        Run priority = new Run(16, limits.withPriority(Duration.ZERO));
        for (Run r : List.of(fcfs, priority)) {
            r.add("low", 1, 200, 2, 40);
            r.stepUntilATokenOf("low"); // low is prefilled and holds its blocks
            r.add("urgent", 2, 120, 0, 8);
        }
        assertEquals(List.of("low", "urgent"), fcfs.runAll());
        assertEquals(0, fcfs.preemptions, "under fcfs the newcomer waits");
        assertEquals(List.of("urgent", "low"), priority.runAll());
        assertTrue(priority.preemptions > 0, "low was preempted for urgent");
        assertArrayEquals(fcfs.tokensOf("low"), priority.tokensOf("low"), "the preempted request is recomputed");
        assertArrayEquals(fcfs.tokensOf("urgent"), priority.tokensOf("urgent"));
    }

    @Test
    void whenBlocksRunOutTheLowestPriorityIsPreemptedNotTheNewest() {
        // Two requests that grow until 12 blocks cannot hold both: fcfs preempts the newer one,
        // priority the one of larger priority even though it came first.
        SchedulerConfig limits = new SchedulerConfig(64, 4, 1024);
        Run fcfs = new Run(12, limits);
        Run priority = new Run(12, limits.withPriority(Duration.ZERO));
        for (Run r : List.of(fcfs, priority)) {
            r.add("first", 1, 60, 4, 60);
            r.add("second", 2, 60, 0, 60);
        }
        assertEquals(List.of("first", "second"), fcfs.runAll());
        assertEquals(List.of("second", "first"), priority.runAll());
        assertTrue(fcfs.preemptions > 0 && priority.preemptions > 0, "the pool ran out in both");
        for (String id : List.of("first", "second")) {
            assertArrayEquals(fcfs.tokensOf(id), priority.tokensOf(id), id);
        }
    }
}
