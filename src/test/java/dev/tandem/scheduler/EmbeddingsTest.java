package dev.tandem.scheduler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Checkpoint;
import dev.tandem.model.SafeTensorsFile;
import dev.tandem.model.Tensor;
import dev.tandem.request.Pooling;
import dev.tandem.request.SamplingParams;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Embedding requests through the scheduler: prefill only, the pooled last hidden state back, the
 * same bits alone, chunked, batched with generation and after prefix-cache hits.
 */
class EmbeddingsTest {
    static final Path LLAMA = Path.of("src/test/resources/hf-reference/llama");

    /** Runs everything queued; returns each embedding request's vector and checks every block came back. */
    static Map<String, float[]> runAll(OneShardStack stack) {
        Map<String, float[]> vectors = new HashMap<>();
        for (StepOutput o : stack.runUntilIdle()) {
            if (o.embedding() != null) {
                vectors.put(o.requestId(), o.embedding());
                assertNotNull(o.finishReason(), "an embedding request ends with its vector");
            }
        }
        assertEquals(64, stack.kv().usage().blocksAllocatable(), "no KV is kept beyond the prefix cache");
        return vectors;
    }

    static Sequence embedding(String id, int[] prompt, Pooling pooling) {
        SamplingParams p = SamplingParams.builder()
                .temperature(0f)
                .maxTokens(1)
                .pooling(Optional.of(pooling))
                .build();
        return new Sequence(id, prompt, p, List.of(), -1);
    }

    static int[] referenceIds() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = SafeTensorsFile.map(LLAMA.resolve("expected.safetensors"), arena)
                    .tensors()
                    .get("input_ids");
            return Stream.of(t.toLongs())
                    .flatMapToLong(java.util.Arrays::stream)
                    .mapToInt(Math::toIntExact)
                    .toArray();
        }
    }

    @Test
    void theLastTokensStateIsTheOneTheReferenceLogitsComeFrom() throws Exception {
        int[] ids = referenceIds();
        float[] logits;
        try (Arena arena = Arena.ofConfined()) {
            Tensor t = SafeTensorsFile.map(LLAMA.resolve("expected.safetensors"), arena)
                    .tensors()
                    .get("logits");
            logits = t.toFloats(t.shape());
        }
        try (Checkpoint ckpt = Checkpoint.open(LLAMA);
                OneShardStack stack = OneShardStack.of(ckpt, 16, 8, 8)) {
            int vocab = ckpt.config().vocabSize(), hidden = ckpt.config().hiddenSize();
            stack.scheduler().add(embedding("e", ids, Pooling.LAST));
            float[] v = runAll(stack).get("e");
            assertEquals(hidden, v.length);
            double norm = 0;
            for (float x : v) {
                norm += x * x;
            }
            assertEquals(1.0, norm, 1e-5, "L2-normalized");
            // Hugging Face's last logits are lm_head times the last hidden state: the vector must
            // point the same way (cosine 1) once the head multiplies it.
            float[] head = ckpt.tensor("lm_head.weight").toFloats(vocab, hidden);
            double dot = 0, a = 0, b = 0;
            int last = (ids.length - 1) * vocab;
            for (int r = 0; r < vocab; r++) {
                double y = 0;
                for (int c = 0; c < hidden; c++) {
                    y += head[r * hidden + c] * v[c];
                }
                dot += y * logits[last + r];
                a += y * y;
                b += (double) logits[last + r] * logits[last + r];
            }
            assertEquals(1.0, dot / Math.sqrt(a * b), 1e-5, "cosine of head x embedding with the reference logits");
        }
    }

    @Test
    void aVectorIsTheSameAloneChunkedBatchedAndAfterCacheHits() throws Exception {
        int[] ids = referenceIds();
        try (Checkpoint ckpt = Checkpoint.open(LLAMA);
                OneShardStack whole = OneShardStack.of(ckpt, 64, 8, 8);
                OneShardStack chunked = OneShardStack.of(ckpt, 16, 8, 8)) {
            for (Pooling pooling : Pooling.values()) {
                whole.scheduler().add(embedding("alone", ids, pooling));
                float[] alone = runAll(whole).get("alone");

                // Chunks of 16 among generation traffic and another embedding.
                chunked.scheduler()
                        .add(new Sequence(
                                "gen",
                                new java.util.Random(3).ints(40, 0, 512).toArray(),
                                SchedulerTest.greedy(20),
                                List.of(),
                                -1));
                chunked.scheduler()
                        .add(embedding(
                                "other",
                                new java.util.Random(4).ints(25, 0, 512).toArray(),
                                pooling));
                chunked.scheduler().add(embedding("batched", ids, pooling));
                Map<String, float[]> got = runAll(chunked);
                assertArrayEquals(alone, got.get("batched"), pooling + ": batched and chunked, the same bits");
                assertEquals(2, got.size(), "the generation request returned no vector");

                // The prompt's blocks are cached now: the same input again gives the same vector.
                chunked.scheduler().add(embedding("again", ids, pooling));
                assertArrayEquals(alone, runAll(chunked).get("again"), pooling + ": after a prefix-cache hit");
            }
            whole.scheduler().add(embedding("mean", ids, Pooling.MEAN));
            whole.scheduler().add(embedding("last", ids, Pooling.LAST));
            Map<String, float[]> both = runAll(whole);
            assertTrue(!java.util.Arrays.equals(both.get("mean"), both.get("last")), "mean and last pool differently");
        }
    }
}
