package dev.tandem.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.grammar.Grammars;
import dev.tandem.grammar.StructuredOutput;
import dev.tandem.kvcache.BlockPool;
import dev.tandem.kvcache.KvCacheManager;
import dev.tandem.request.FinishReason;
import dev.tandem.request.SamplingParams;
import dev.tandem.shard.DecodeInterrupt;
import dev.tandem.shard.LocalShard;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.SampledToken;
import dev.tandem.shard.Shard;
import dev.tandem.shard.StepBatch;
import dev.tandem.shard.StepKind;
import dev.tandem.testsupport.ForwardingShard;
import dev.tandem.testsupport.SchedulerConfigs;
import dev.tandem.tokenizer.TextTokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SchedulerTest {
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

    static final class Stack {
        final KvCacheManager kv;
        final Scheduler scheduler;
        final List<StepKind> kinds = new ArrayList<>();
        int preemptions;
        /** Decode steps that computed more tokens than they had sequences: several rounds in one go. */
        int multiStepDecodes;

        Stack(int numBlocks, int tokenBudget, int maxSeqs, boolean prefixCaching) {
            this(numBlocks, new SchedulerConfig(tokenBudget, maxSeqs, 1024), prefixCaching);
        }

        Stack(int numBlocks, SchedulerConfig config, boolean prefixCaching) {
            this(numBlocks, config, prefixCaching, SchedulerTest.runner);
        }

        Stack(int numBlocks, SchedulerConfig config, boolean prefixCaching, ModelRunner runner) {
            this(numBlocks, config, prefixCaching, new LocalShard("cpu", runner, List.of(0, 2)));
        }

        Stack(int numBlocks, SchedulerConfig config, boolean prefixCaching, LocalShard shard) {
            kv = new KvCacheManager(new BlockPool(numBlocks), 16, prefixCaching, 1);
            scheduler = new ContinuousBatchingScheduler(config, kv, shard, shard, new StepListener() {
                @Override
                public void onStep(StepKind kind, int numTokens, int numSequences, long durationNanos) {
                    kinds.add(kind);
                    if (kind == StepKind.DECODE && numTokens > numSequences) {
                        multiStepDecodes++;
                    }
                }

                @Override
                public void onPreemption() {
                    preemptions++;
                }
            });
        }

        /** Runs until idle; returns each request's generated ids. */
        Map<String, int[]> runAll() {
            return DemoRunner.runUntilIdle(scheduler);
        }
    }

    static SamplingParams greedy(int maxTokens) {
        return SamplingParams.builder()
                .temperature(0f)
                .seed(1)
                .maxTokens(maxTokens)
                .ignoreEos(true)
                .build();
    }

    static int[] prompt(int seed, int length) {
        return new Random(seed).ints(length, 3, 4096).toArray();
    }

    static Map<Integer, int[]> singleStreamAnswers(int[] lengths, int maxTokens) {
        Map<Integer, int[]> answers = new HashMap<>();
        for (int i = 0; i < lengths.length; i++) {
            Stack alone = new Stack(128, 64, 1, false);
            alone.scheduler.add(new Sequence("s", prompt(i, lengths[i]), greedy(maxTokens), List.of(0, 2), -1));
            answers.put(i, alone.runAll().get("s"));
        }
        return answers;
    }

    @Test
    void batchedChunkedAndPreemptedAnswersEqualSingleStreamAnswers() {
        int[] lengths = {5, 40, 17, 90, 3, 64, 33, 120};
        Map<Integer, int[]> expected = singleStreamAnswers(lengths, 40);
        // A 24-token budget forces chunked prefill; 16 blocks (256 tokens) force preemptions; prefix caching on.
        Stack stack = new Stack(16, 24, 6, true);
        for (int i = 0; i < lengths.length; i++) {
            stack.scheduler.add(new Sequence("r" + i, prompt(i, lengths[i]), greedy(40), List.of(0, 2), -1));
        }
        Map<String, int[]> got = stack.runAll();
        for (int i = 0; i < lengths.length; i++) {
            assertArrayEquals(expected.get(i), got.get("r" + i), "request " + i);
        }
        assertTrue(stack.preemptions > 0, "the small pool preempted");
        assertTrue(stack.kinds.contains(StepKind.DECODE) && stack.kinds.contains(StepKind.PREFILL));
        assertEquals(16, stack.kv.usage().blocksAllocatable(), "every block is back");
    }

    @Test
    void aLongPromptNeverStallsRunningStreams() {
        Stack stack = new Stack(128, 16, 8, false);
        stack.scheduler.add(new Sequence("short", prompt(1, 4), greedy(30), List.of(0, 2), -1));
        DemoRunner.step(stack.scheduler);
        stack.scheduler.add(new Sequence("long", prompt(2, 300), greedy(2), List.of(0, 2), -1));
        for (int step = 0; step < 20; step++) {
            List<StepOutput> outs = DemoRunner.step(stack.scheduler);
            assertTrue(
                    outs.stream().anyMatch(o -> o.requestId().equals("short")),
                    "short stream got a token in step " + step);
        }
    }

    @Test
    void prefixCacheHitsAreReportedAndGiveTheSameAnswer() {
        Stack stack = new Stack(128, 64, 4, true);
        int[] p = prompt(7, 70);
        stack.scheduler.add(new Sequence("a", p, greedy(8), List.of(0, 2), -1));
        Map<String, int[]> first = stack.runAll();
        stack.scheduler.add(new Sequence("b", p, greedy(8), List.of(0, 2), -1));
        int cached = -1;
        List<Integer> tokens = new ArrayList<>();
        while (stack.scheduler.hasWork()) {
            for (StepOutput o : DemoRunner.step(stack.scheduler)) {
                cached = o.cachedPromptTokens();
                tokens.add(o.token());
            }
        }
        assertEquals(64, cached, "four full blocks of the 70-token prompt were cached");
        assertArrayEquals(
                first.get("a"), tokens.stream().mapToInt(Integer::intValue).toArray());
    }

    @Test
    void finishReasonsAndAbortReturnBlocks() {
        Stack stack = new Stack(64, 64, 4, false);
        SamplingParams stopAtEos =
                SamplingParams.builder().temperature(0f).maxTokens(100).build();
        stack.scheduler.add(new Sequence("eos", new int[] {415, 484, 1208, 574}, stopAtEos, List.of(0, 2), -1));
        stack.scheduler.add(new Sequence("len", prompt(3, 10), greedy(5), List.of(0, 2), -1));
        stack.scheduler.add(new Sequence("gone", prompt(4, 10), greedy(50), List.of(0, 2), -1));
        Map<String, FinishReason> reasons = new HashMap<>();
        int steps = 0;
        while (stack.scheduler.hasWork()) {
            for (StepOutput o : DemoRunner.step(stack.scheduler)) {
                if (o.finishReason() != null) {
                    reasons.put(o.requestId(), o.finishReason());
                }
            }
            if (++steps == 3) {
                reasons.put(
                        "gone",
                        stack.scheduler.finish("gone", FinishReason.ABORT).finishReason());
            }
        }
        assertEquals(Map.of("eos", FinishReason.STOP, "len", FinishReason.LENGTH, "gone", FinishReason.ABORT), reasons);
        assertEquals(64, stack.kv.usage().blocksAllocatable());
    }

    /** Every output of a run, as text: token, logprob, top logprobs, finish reason, usage. */
    static Map<String, List<String>> outputsUntilIdle(Stack stack, int abortAfterSteps, String abortId) {
        Map<String, List<String>> out = new HashMap<>();
        for (int steps = 1; stack.scheduler.hasWork(); steps++) {
            assertTrue(steps < 10_000, "the scheduler finishes");
            for (StepOutput o : DemoRunner.step(stack.scheduler)) {
                out.computeIfAbsent(o.requestId(), k -> new ArrayList<>())
                        .add(o.token() + " " + o.logprob() + " "
                                + java.util.Arrays.toString(o.topTokens()) + " "
                                + java.util.Arrays.toString(o.topLogprobs()) + " "
                                + o.finishReason() + " " + o.promptTokens() + "/" + o.cachedPromptTokens());
            }
            if (steps == abortAfterSteps) {
                StepOutput o = stack.scheduler.finish(abortId, FinishReason.ABORT);
                out.computeIfAbsent(abortId, k -> new ArrayList<>()).add("aborted " + (o != null));
            }
        }
        return out;
    }

    static void addMixedRequests(Stack stack) {
        SamplingParams seededWithPenalties = SamplingParams.builder()
                .temperature(0.8f)
                .topP(0.9f)
                .topK(40)
                .seed(42)
                .presencePenalty(0.5f)
                .frequencyPenalty(0.3f)
                .repetitionPenalty(1.1f)
                .maxTokens(37)
                .ignoreEos(true)
                .build();
        SamplingParams stopAtEos =
                SamplingParams.builder().temperature(0f).maxTokens(100).build();
        // Max tokens that are not multiples of the step count, EOS mid-burst, logprobs, seeded sampling with penalties.
        stack.scheduler.add(new Sequence("eos", new int[] {415, 484, 1208, 574}, stopAtEos, List.of(0, 2), -1));
        stack.scheduler.add(new Sequence("len5", prompt(3, 10), greedy(5), List.of(0, 2), 2));
        stack.scheduler.add(new Sequence("len29", prompt(5, 40), greedy(29), List.of(0, 2), 0));
        stack.scheduler.add(new Sequence("sampled", prompt(6, 20), seededWithPenalties, List.of(0, 2), 3));
        stack.scheduler.add(new Sequence("gone", prompt(4, 12), greedy(50), List.of(0, 2), -1));
    }

    @Test
    void severalDecodeStepsPerRoundTripGiveTheSameOutputs() {
        Stack single = new Stack(64, new SchedulerConfig(64, 8, 1024), true);
        addMixedRequests(single);
        Map<String, List<String>> expected = outputsUntilIdle(single, 12, "gone");
        // A window no step time reaches: eight decode steps whenever only decoding goes on.
        Stack multi = new Stack(64, SchedulerConfigs.multiStep(64, 8, 8), true);
        addMixedRequests(multi);
        Map<String, List<String>> got = outputsUntilIdle(multi, 3, "gone");
        assertTrue(multi.multiStepDecodes > 0, "decode steps ran several rounds");
        assertEquals(0, single.multiStepDecodes);
        for (String id : List.of("eos", "len5", "len29", "sampled")) {
            assertEquals(expected.get(id), got.get(id), id);
        }
        assertTrue(
                got.get("len29").getLast().contains(" LENGTH "),
                got.get("len29").getLast());
        assertEquals(29, got.get("len29").size(), "max_tokens is exact, not rounded up to whole bursts");
        assertTrue(
                got.get("gone").getLast().equals("aborted true")
                        && got.get("gone").size() > 1,
                "aborted between bursts");
        assertEquals(64, multi.kv.usage().blocksAllocatable(), "every block is back, the lookahead ones too");
    }

    @Test
    void severalDecodeStepsWithChunkingAndPreemptionGiveTheSingleStreamAnswers() {
        int[] lengths = {5, 40, 17, 90, 3, 64, 33, 120};
        Map<Integer, int[]> expected = singleStreamAnswers(lengths, 40);
        Stack stack = new Stack(16, SchedulerConfigs.multiStep(24, 6, 8), true);
        for (int i = 0; i < lengths.length; i++) {
            stack.scheduler.add(new Sequence("r" + i, prompt(i, lengths[i]), greedy(40), List.of(0, 2), -1));
        }
        Map<String, int[]> got = stack.runAll();
        for (int i = 0; i < lengths.length; i++) {
            assertArrayEquals(expected.get(i), got.get("r" + i), "request " + i);
        }
        assertTrue(stack.multiStepDecodes > 0 && stack.preemptions > 0, "bursts and preemptions both happened");
        assertEquals(16, stack.kv.usage().blocksAllocatable(), "every block is back");
    }

    static SamplingParams constrained(String gbnf, float temperature, long seed) {
        return SamplingParams.builder()
                .temperature(temperature)
                .seed(seed)
                .maxTokens(40)
                .grammar(dev.tandem.request.OutputGrammar.whole(gbnf))
                .build();
    }

    @Test
    void grammarRequestsPreemptedAndChunkedGiveTheSingleStreamAnswers() throws Exception {
        Grammars grammars =
                Grammars.forModel(demo.ckpt.directory(), demo.ckpt.config().vocabSize());
        String[] grammar = {
            StructuredOutput.regex("[a-z]{2,6}( [a-z]{2,6}){8,12}\\."),
            StructuredOutput.jsonSchema(new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                        {"type": "object", "properties": {"items": {"type": "array", "minItems": 4, "maxItems": 6,
                         "items": {"type": "string", "minLength": 3, "maxLength": 10}}}, "required": ["items"]}""")),
            StructuredOutput.choice(
                    List.of("no, not today and not tomorrow either", "yes, on the third of may at noon"))
        };
        // Prompts of two blocks and answers of up to three more in a pool of ten blocks: preemptions mid-answer.
        int[] lengths = {20, 31, 17, 28, 25, 30, 22, 27};
        Map<Integer, int[]> expected = new HashMap<>();
        for (int i = 0; i < lengths.length; i++) {
            Stack alone = new Stack(
                    128,
                    new SchedulerConfig(64, 1, 1024),
                    false,
                    new LocalShard("cpu", runner, List.of(0, 2), DecodeInterrupt.local(), grammars));
            alone.scheduler.add(
                    new Sequence("s", prompt(i, lengths[i]), constrained(grammar[i % 3], i % 2, i), List.of(0, 2), -1));
            expected.put(i, alone.runAll().get("s"));
        }
        Stack stack = new Stack(
                10,
                new SchedulerConfig(24, 6, 1024),
                true,
                new LocalShard("cpu", runner, List.of(0, 2), DecodeInterrupt.local(), grammars));
        for (int i = 0; i < lengths.length; i++) {
            stack.scheduler.add(new Sequence(
                    "r" + i, prompt(i, lengths[i]), constrained(grammar[i % 3], i % 2, i), List.of(0, 2), -1));
        }
        stack.scheduler.add(new Sequence("free", prompt(0, lengths[0]), greedy(40), List.of(0, 2), -1));
        Map<String, int[]> got = stack.runAll();
        String[] says = {
            "[a-z]{2,6}( [a-z]{2,6}){0,12}\\.?",
            "\\{.*",
            "no, not today and not tomorrow either|yes, on the third of may at noon"
        };
        try (TextTokenizer tokenizer = TextTokenizer.load(demo.ckpt.directory())) {
            for (int i = 0; i < lengths.length; i++) {
                assertArrayEquals(expected.get(i), got.get("r" + i), "request " + i);
                String text = tokenizer.decode(got.get("r" + i), true);
                assertTrue(text.matches("(?s)" + says[i % 3]), "request " + i + " kept to its grammar: " + text);
            }
        }
        assertTrue(!java.util.Arrays.equals(got.get("free"), got.get("r0")), "the grammar changed what request 0 says");
        assertTrue(stack.preemptions > 0, "the small pool preempted");
        assertEquals(10, stack.kv.usage().blocksAllocatable(), "every block is back");
    }

    /** Records the batches sent to one role of a shared shard. */
    static final class Recording extends ForwardingShard {
        final List<StepBatch> batches = new ArrayList<>();

        Recording(Shard inner) {
            super(inner);
        }

        @Override
        public List<SampledToken> execute(StepBatch batch) {
            batches.add(batch);
            return inner.execute(batch);
        }
    }

    @Test
    void endedRequestsRideAlongWithTheNextStepOfEachShardThatKnewThem() {
        LocalShard shard = new LocalShard("cpu", runner, List.of(0, 2));
        Recording prefill = new Recording(shard), decode = new Recording(shard);
        KvCacheManager kv = new KvCacheManager(new BlockPool(64), 16, false, 1);
        Scheduler scheduler = new ContinuousBatchingScheduler(
                new SchedulerConfig(64, 8, 1024), kv, prefill, decode, StepListener.NONE);
        scheduler.add(new Sequence("a", prompt(1, 10), greedy(4), List.of(0, 2), -1));
        DemoRunner.runUntilIdle(scheduler);
        assertEquals(1, prefill.batches.size(), "no batch only to tell the prefill shard that a ended");
        assertEquals(3, decode.batches.size(), "three decode steps for the three tokens after the first; none more");
        assertTrue(decode.batches.stream()
                .allMatch(
                        b -> !b.sequences().isEmpty() && b.finishedRequestIds().isEmpty()));
        scheduler.add(new Sequence("b", prompt(2, 10), greedy(2), List.of(0, 2), -1));
        scheduler.add(new Sequence("c", prompt(3, 10), greedy(1), List.of(0, 2), -1));
        DemoRunner.runUntilIdle(scheduler);
        assertEquals(
                List.of("a"), prefill.batches.get(1).finishedRequestIds(), "the next prefill step carries a's end");
        assertEquals(List.of("a"), decode.batches.get(3).finishedRequestIds(), "so does the next decode step");
        assertEquals(
                List.of(),
                prefill.batches.get(1).sequences().stream()
                        .filter(q -> q.requestId().equals("a"))
                        .toList());
        assertEquals(1, decode.batches.size() - 3, "c ended at its prefill: the decode shard never saw it");
        scheduler.add(new Sequence("d", prompt(4, 10), greedy(2), List.of(0, 2), -1));
        DemoRunner.runUntilIdle(scheduler);
        assertEquals(List.of("c", "b"), prefill.batches.get(2).finishedRequestIds(), "in the order they ended");
        assertEquals(
                List.of("b"),
                decode.batches.get(4).finishedRequestIds(),
                "only the ends the decode shard can hold state for");
        assertEquals(64, kv.usage().blocksAllocatable());
    }

    /** Writes when a step is handed to a shard and when its tokens are awaited. */
    static final class Ordered extends ForwardingShard {
        final List<String> events;

        Ordered(Shard inner, List<String> events) {
            super(inner);
            this.events = events;
        }

        @Override
        public Shard.PendingStep start(StepBatch batch) {
            events.add("start " + batch.kind());
            Shard.PendingStep pending = inner.start(batch);
            return () -> {
                events.add("await " + batch.kind());
                return pending.await();
            };
        }
    }

    @Test
    void shardStepsOverlapOrRunOneAfterTheOtherAsConfigured() {
        Map<Boolean, Map<String, int[]>> outputs = new HashMap<>();
        for (boolean overlap : new boolean[] {true, false}) {
            LocalShard shard = new LocalShard("cpu", runner, List.of(0, 2));
            List<String> events = new ArrayList<>();
            KvCacheManager kv = new KvCacheManager(new BlockPool(64), 16, false, 1);
            Scheduler scheduler = new ContinuousBatchingScheduler(
                    new SchedulerConfig(
                            64,
                            8,
                            1024,
                            1,
                            java.time.Duration.ZERO,
                            overlap,
                            SchedulingPolicy.FCFS,
                            java.time.Duration.ZERO),
                    kv,
                    new Ordered(shard, events),
                    new Ordered(shard, events),
                    StepListener.NONE);
            scheduler.add(new Sequence("a", prompt(1, 10), greedy(6), List.of(0, 2), -1));
            Map<String, List<Integer>> tokens = new HashMap<>();
            DemoRunner.step(scheduler)
                    .forEach(o -> tokens.computeIfAbsent(o.requestId(), k -> new ArrayList<>())
                            .add(o.token()));
            scheduler.add(new Sequence("b", prompt(2, 10), greedy(6), List.of(0, 2), -1));
            events.clear();
            DemoRunner.step(scheduler)
                    .forEach(o -> tokens.computeIfAbsent(o.requestId(), k -> new ArrayList<>())
                            .add(o.token()));
            assertEquals(
                    overlap
                            ? List.of("start PREFILL", "start DECODE", "await PREFILL", "await DECODE")
                            : List.of("start PREFILL", "await PREFILL", "start DECODE", "await DECODE"),
                    events,
                    "a decodes while b is prefilled, " + (overlap ? "at once" : "after it"));
            DemoRunner.runUntilIdle(scheduler).forEach((id, more) -> {
                for (int t : more) {
                    tokens.computeIfAbsent(id, k -> new ArrayList<>()).add(t);
                }
            });
            Map<String, int[]> texts = new HashMap<>();
            tokens.forEach((id, ts) ->
                    texts.put(id, ts.stream().mapToInt(Integer::intValue).toArray()));
            outputs.put(overlap, texts);
            assertEquals(64, kv.usage().blocksAllocatable());
        }
        assertEquals(6, outputs.get(false).get("a").length);
        assertEquals(6, outputs.get(false).get("b").length);
        assertArrayEquals(outputs.get(true).get("a"), outputs.get(false).get("a"));
        assertArrayEquals(outputs.get(true).get("b"), outputs.get(false).get("b"));
    }
}
