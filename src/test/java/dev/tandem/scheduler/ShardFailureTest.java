package dev.tandem.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kvcache.BlockPool;
import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.shard.LocalShard;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.SampledToken;
import dev.tandem.shard.Shard;
import dev.tandem.shard.ShardFailedException;
import dev.tandem.shard.StepBatch;
import dev.tandem.shard.StepKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scheduler against shards that run elsewhere and fail: both step kinds are in flight at
 * once, a lost step (or a shard that lost its state) recomputes the sequences the shard held, a
 * shard that is down stalls its work without losing it, and every answer is still the answer
 * of a run without failures (which SchedulerTest checks against single-stream answers).
 */
class ShardFailureTest {
    static DemoRunner demo;
    static ModelRunner runner;

    @BeforeAll
    static void load() throws Exception {
        demo = new DemoRunner();
        runner = demo.runner;
    }

    @AfterAll
    static void close() {
        demo.close();
    }

    /**
     * Plays a shard in another process: start only records the step, await runs it. Fails the
     * start calls and awaits whose numbers are listed (an await failure runs the step first, as a
     * worker that wrote some KV and then died would), and is down while {@code down} is set.
     */
    static final class RemoteLikeShard implements Shard {
        final String role;
        final LocalShard delegate;
        final List<String> events;
        final Set<Integer> failStarts;
        final Set<Integer> failAwaits;
        boolean down;
        int starts;
        int awaits;

        RemoteLikeShard(
                String role,
                LocalShard delegate,
                List<String> events,
                Set<Integer> failStarts,
                Set<Integer> failAwaits) {
            this.role = role;
            this.delegate = delegate;
            this.events = events;
            this.failStarts = failStarts;
            this.failAwaits = failAwaits;
        }

        @Override
        public PendingStep start(StepBatch batch) {
            events.add(role + ".start");
            if (failStarts.contains(++starts)) {
                throw new ShardFailedException(role, "test: dead before the step", null);
            }
            int n = ++awaits;
            return () -> {
                events.add(role + ".await");
                List<SampledToken> tokens = delegate.execute(batch);
                if (failAwaits.contains(n)) {
                    throw new ShardFailedException(role, "test: died during the step", null);
                }
                return tokens;
            };
        }

        @Override
        public List<SampledToken> execute(StepBatch batch) {
            return start(batch).await();
        }

        @Override
        public boolean isReady() {
            return !down;
        }

        @Override
        public String describe() {
            return role;
        }

        @Override
        public void close() {}
    }

    static final class Run {
        final List<String> events = new ArrayList<>();
        final List<StepKind> failures = new ArrayList<>();
        final KvCacheManager kv = new KvCacheManager(new BlockPool(64), 16, true, 1);
        final RemoteLikeShard prefill;
        final RemoteLikeShard decode;
        final Scheduler scheduler;

        Run(
                Set<Integer> prefillFailStarts,
                Set<Integer> prefillFailAwaits,
                Set<Integer> decodeFailStarts,
                Set<Integer> decodeFailAwaits) {
            LocalShard local = new LocalShard("cpu", runner, List.of(0, 2));
            prefill = new RemoteLikeShard("prefill", local, events, prefillFailStarts, prefillFailAwaits);
            decode = new RemoteLikeShard("decode", local, events, decodeFailStarts, decodeFailAwaits);
            scheduler = new ContinuousBatchingScheduler(
                    new SchedulerConfig(24, 8, 1024), kv, prefill, decode, new StepListener() {
                        @Override
                        public void onShardFailure(StepKind kind, String reason) {
                            failures.add(kind);
                        }
                    });
        }

        Map<String, int[]> runAll(int[] lengths, int maxTokens) {
            for (int i = 0; i < lengths.length; i++) {
                scheduler.add(new Sequence(
                        "r" + i,
                        SchedulerTest.prompt(i, lengths[i]),
                        SchedulerTest.greedy(maxTokens),
                        List.of(0, 2),
                        -1));
            }
            return DemoRunner.runUntilIdle(scheduler);
        }
    }

    static final int[] LENGTHS = {5, 40, 17, 90, 3, 64};

    @Test
    void bothShardsHaveTheirStepBeforeEitherIsAwaited() {
        Run run = new Run(Set.of(), Set.of(), Set.of(), Set.of());
        run.runAll(LENGTHS, 20);
        String joined = String.join(" ", run.events);
        assertTrue(joined.contains("prefill.start decode.start prefill.await decode.await"), joined);
        assertTrue(run.failures.isEmpty());
    }

    @Test
    void failedStepsAreRecomputedAndEveryAnswerIsTheSingleStreamAnswer() {
        Map<String, int[]> expected = new Run(Set.of(), Set.of(), Set.of(), Set.of()).runAll(LENGTHS, 30);
        // Decode dies before its 6th step and during its 15th; prefill during its 3rd (a chunked 90-token prompt) and
        // before its 9th.
        Run run = new Run(Set.of(9), Set.of(3), Set.of(6), Set.of(15));
        Map<String, int[]> got = run.runAll(LENGTHS, 30);
        for (int i = 0; i < LENGTHS.length; i++) {
            assertArrayEquals(expected.get("r" + i), got.get("r" + i), "request " + i);
        }
        assertEquals(
                List.of(StepKind.PREFILL, StepKind.DECODE, StepKind.PREFILL, StepKind.DECODE).stream()
                        .sorted()
                        .toList(),
                run.failures.stream().sorted().toList(),
                "each failure is reported once");
        assertEquals(64, run.kv.usage().blocksAllocatable(), "every block is back");
    }

    @Test
    void aShardThatIsDownStallsItsWorkWithoutLosingIt() {
        Run run = new Run(Set.of(), Set.of(), Set.of(), Set.of());
        run.scheduler.add(new Sequence("a", SchedulerTest.prompt(1, 10), SchedulerTest.greedy(12), List.of(0, 2), -1));
        DemoRunner.step(run.scheduler); // prefill: first token
        run.decode.down = true;
        for (int i = 0; i < 3; i++) {
            assertTrue(DemoRunner.step(run.scheduler).isEmpty());
            assertTrue(run.scheduler.isStalled(), "nothing can run while the decode shard is down");
        }
        run.decode.down = false;
        List<Integer> tokens = new ArrayList<>();
        while (run.scheduler.hasWork()) {
            DemoRunner.step(run.scheduler).stream().filter(StepOutput::hasToken).forEach(o -> tokens.add(o.token()));
        }
        assertEquals(11, tokens.size(), "the rest of the answer came once the shard was back");
        assertEquals(64, run.kv.usage().blocksAllocatable());
    }
}
