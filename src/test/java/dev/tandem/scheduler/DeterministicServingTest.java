package dev.tandem.scheduler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kernels.KernelPath;
import dev.tandem.request.SamplingParams;
import dev.tandem.testsupport.SchedulerConfigs;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Deterministic serving, end to end through the scheduler and a shard: a greedy request with
 * top logprobs gets the same tokens and the same logprob bits alone and in one-piece prefill as
 * among 15 sampled requests, with its prefix cached or not, its prompt prefilled in chunks or in
 * one piece, and one or several decode rounds per step. The build runs it on the native path and
 * on the forced AVX2 one.
 */
class DeterministicServingTest {
    static DemoRunner demo;
    static final int PROBE_PROMPT = 70;
    static final int PROBE_TOKENS = 40;

    @BeforeAll
    static void load() throws Exception {
        demo = new DemoRunner();
    }

    @AfterAll
    static void close() {
        demo.close();
    }

    /** What the probe alone gets: one-piece prefill, no prefix cache, one decode round per step. */
    static List<String> alone() {
        SchedulerTest.Stack stack = stack(64, 1, 1, false);
        stack.scheduler.add(probe());
        return run(stack).probe;
    }

    @ParameterizedTest(
            name = "budget {0}, {1} decode rounds, prefix cache {2}, cached prefix first {3}, 15 sampled beside it {4}")
    @CsvSource({
        "16, 1, false, false, false", // chunked prefill alone
        "64, 1, false, false, true", // among sampled requests
        "64, 1, true, true, false", // a prefix-cache hit
        "64, 8, false, false, true", // several decode rounds per step, among others
        "16, 8, true, true, true", // all of it at once
        "24, 3, true, false, true"
    })
    void aGreedyRequestGetsTheSameBitsInAnyCompany(
            int budget, int decodeRounds, boolean prefixCaching, boolean cachedFirst, boolean company) {
        List<String> expected = alone();
        SchedulerTest.Stack stack = stack(budget, company ? 16 : 2, decodeRounds, prefixCaching);
        if (cachedFirst) {
            // An earlier request with the probe's first 64 prompt tokens leaves them in the prefix cache.
            int[] prefix = java.util.Arrays.copyOf(SchedulerTest.prompt(99, PROBE_PROMPT), 64);
            stack.scheduler.add(new Sequence("warm", prefix, SchedulerTest.greedy(2), List.of(0, 2), -1));
            DemoRunner.runUntilIdle(stack.scheduler);
        }
        if (company) {
            for (int i = 0; i < 15; i++) {
                SamplingParams sampled = SamplingParams.builder()
                        .topP(0.95f)
                        .seed(i)
                        .maxTokens(20 + 3 * i)
                        .ignoreEos(true)
                        .build();
                stack.scheduler.add(new Sequence(
                        "s" + i,
                        SchedulerTest.prompt(200 + i, 5 + 9 * i),
                        sampled,
                        List.of(0, 2),
                        i % 3 == 0 ? 2 : -1));
            }
        }
        stack.scheduler.add(probe());
        Result got = run(stack);
        assertEquals(expected, got.probe, "the probe's tokens and logprob bits on " + KernelPath.current());
        assertEquals(PROBE_TOKENS, got.probe.size());
        if (cachedFirst) {
            assertEquals(64, got.cachedPromptTokens, "the probe's prefix came from the cache");
        }
        if (decodeRounds > 1) {
            assertTrue(stack.multiStepDecodes > 0, "decode steps ran several rounds");
        }
        if (company) {
            assertTrue(
                    got.maxBatchedSequences > 4,
                    "the probe shared its steps: up to " + got.maxBatchedSequences + " sequences");
        }
        assertEquals(256, stack.kv.usage().blocksAllocatable(), "every block is back");
    }

    static Sequence probe() {
        return new Sequence(
                "probe", SchedulerTest.prompt(99, PROBE_PROMPT), SchedulerTest.greedy(PROBE_TOKENS), List.of(0, 2), 5);
    }

    static SchedulerTest.Stack stack(int budget, int maxSeqs, int decodeRounds, boolean prefixCaching) {
        SchedulerTest.Stack stack = new SchedulerTest.Stack(
                256, SchedulerConfigs.multiStep(budget, maxSeqs, decodeRounds), prefixCaching, demo.runner);
        return stack;
    }

    record Result(List<String> probe, int cachedPromptTokens, int maxBatchedSequences) {}

    /** Steps until idle; the probe's outputs with every float as its bits. */
    static Result run(SchedulerTest.Stack stack) {
        List<String> probe = new ArrayList<>();
        int cached = -1;
        int maxSequences = 0;
        for (int steps = 0; stack.scheduler.hasWork(); steps++) {
            assertTrue(steps < 10_000, "the scheduler finishes");
            List<StepOutput> outputs = DemoRunner.step(stack.scheduler);
            if (outputs.stream().anyMatch(o -> o.requestId().equals("probe"))) {
                maxSequences = Math.max(maxSequences, (int)
                        outputs.stream().map(StepOutput::requestId).distinct().count());
            }
            for (StepOutput o : outputs) {
                if (o.requestId().equals("probe") && o.hasToken()) {
                    cached = o.cachedPromptTokens();
                    StringBuilder sb = new StringBuilder()
                            .append(o.token())
                            .append(' ')
                            .append(Integer.toHexString(Float.floatToRawIntBits(o.logprob())));
                    for (int i = 0; i < o.topTokens().length; i++) {
                        sb.append(' ')
                                .append(o.topTokens()[i])
                                .append(':')
                                .append(Integer.toHexString(Float.floatToRawIntBits(o.topLogprobs()[i])));
                    }
                    probe.add(sb.toString());
                }
            }
        }
        return new Result(probe, cached, maxSequences);
    }
}
