package dev.tandem.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Checkpoint;
import dev.tandem.model.SafeTensorsFile;
import dev.tandem.model.Tensor;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Prompt logprobs through the scheduler and a shard: each prompt token's logprob is what Hugging
 * Face's logits for the position before it give, chunked or in one piece, scored in pieces smaller
 * than a chunk, and the same bits again when the prompt's blocks sit in the prefix cache.
 */
class PromptLogprobsTest {
    static Stream<Path> checkpoints() {
        return Stream.of("llama", "qwen2", "qwen3").map(n -> Path.of("src/test/resources/hf-reference", n));
    }

    /** Runs one request to its end; returns its outputs, prompt logprobs and tokens alike. */
    static List<StepOutput> run(OneShardStack stack, Sequence s) {
        stack.scheduler().add(s);
        return stack.runUntilIdle();
    }

    static Sequence request(String id, int[] prompt, int numPromptLogprobs) {
        Sequence s = new Sequence(id, prompt, SchedulerTest.greedy(3), List.of(), 2);
        return numPromptLogprobs >= 0 ? s.withPromptLogprobs(numPromptLogprobs) : s;
    }

    static float[] promptLogprobs(List<StepOutput> outputs, int promptLength) {
        float[] lp = new float[promptLength];
        lp[0] = Float.NaN;
        int seen = 0;
        for (StepOutput o : outputs) {
            if (o.promptPosition() >= 0) {
                assertEquals(o.promptPosition(), seen + 1, "prompt logprobs come in position order, once each");
                lp[o.promptPosition()] = o.logprob();
                seen++;
            }
        }
        assertEquals(promptLength - 1, seen, "one logprob per prompt token after the first");
        return lp;
    }

    static int[] generated(List<StepOutput> outputs) {
        return outputs.stream()
                .filter(StepOutput::hasToken)
                .mapToInt(StepOutput::token)
                .toArray();
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void promptLogprobsAreTheReferenceLogSoftmaxAndIgnoreChunkingAndTheCache(Path dir) throws Exception {
        int[] ids;
        float[] logits;
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> t = SafeTensorsFile.map(dir.resolve("expected.safetensors"), arena)
                    .tensors();
            ids = Stream.of(t.get("input_ids").toLongs())
                    .flatMapToLong(java.util.Arrays::stream)
                    .mapToInt(Math::toIntExact)
                    .toArray();
            logits = t.get("logits").toFloats(t.get("logits").shape());
        }
        try (Checkpoint ckpt = Checkpoint.open(dir);
                OneShardStack chunked = OneShardStack.of(ckpt, 16, 4, 4);
                OneShardStack whole = OneShardStack.of(ckpt, 64, 64, 4)) {
            int vocab = ckpt.config().vocabSize();
            List<StepOutput> a = run(chunked, request("a", ids, 2));
            float[] lp = promptLogprobs(a, ids.length);
            for (int i = 1; i < ids.length; i++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, logits[(i - 1) * vocab + v]);
                }
                for (int v = 0; v < vocab; v++) {
                    sum += Math.exp(logits[(i - 1) * vocab + v] - max);
                }
                double expected = logits[(i - 1) * vocab + ids[i]] - max - Math.log(sum);
                assertEquals(expected, lp[i], 2e-4, dir + ": logprob of prompt token " + i);
            }
            StepOutput second =
                    a.stream().filter(o -> o.promptPosition() == 2).findFirst().orElseThrow();
            assertNotNull(second.topTokens());
            assertEquals(2, second.topTokens().length, "two alternatives asked for");
            assertTrue(second.topLogprobs()[0] >= second.topLogprobs()[1] && second.topLogprobs()[0] >= lp[2]);

            // The prompt's blocks are now cached: a request without prompt logprobs reads them, one
            // with them computes the prompt again, to the same bits; one piece or chunks, the same.
            List<StepOutput> cachedRead = run(chunked, request("b", ids, -1));
            assertTrue(cachedRead.getLast().cachedPromptTokens() > 0, "the scored prompt was cached for others");
            List<StepOutput> again = run(chunked, request("c", ids, 2));
            assertEquals(0, again.getLast().cachedPromptTokens(), "prompt logprobs recompute the prompt");
            assertArrayEquals(lp, promptLogprobs(again, ids.length));
            List<StepOutput> onePiece = run(whole, request("d", ids, 2));
            assertArrayEquals(lp, promptLogprobs(onePiece, ids.length), "one piece and chunks give the same bits");
            assertArrayEquals(generated(cachedRead), generated(a), "scoring changes no generated token");
            assertArrayEquals(generated(onePiece), generated(a));
        }
    }
}
