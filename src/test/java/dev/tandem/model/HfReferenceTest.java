package dev.tandem.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kernels.KvDtype;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import java.lang.foreign.Arena;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The definition of a correct forward pass: logits and greedy ids equal to what Hugging Face
 * transformers computes for the same checkpoint (fixtures made by src/test/python/make_hf_fixtures.py
 * and shipped in ../shared/fixtures/hf-reference).
 */
class HfReferenceTest {
    // Stricter than the 1e-3 the issue asks for: f32 math matches transformers to ~5e-6 today.
    static final float TOLERANCE = 1e-4f;

    static Stream<Path> checkpoints() {
        Path fixtures = Path.of("src/test/resources/hf-reference");
        return Stream.of(
                fixtures.resolve("llama"),
                fixtures.resolve("qwen2"),
                fixtures.resolve("qwen3"),
                fixtures.resolve("llama31"),
                fixtures.resolve("mistral"),
                Path.of("models/demo-llama-6m"));
    }

    record Expected(int[] inputIds, float[] logits, int[] greedyPrompt, int[] greedyOutput) {
        static Expected read(Path dir) throws Exception {
            try (Arena arena = Arena.ofConfined()) {
                Map<String, Tensor> t = SafeTensorsFile.map(dir.resolve("expected.safetensors"), arena)
                        .tensors();
                Tensor logits = t.get("logits");
                return new Expected(
                        ints(t.get("input_ids")),
                        logits.toFloats(logits.shape()),
                        ints(t.get("greedy_prompt")),
                        ints(t.get("greedy_output")));
            }
        }

        static int[] ints(Tensor t) {
            return Stream.of(t.toLongs())
                    .flatMapToLong(java.util.Arrays::stream)
                    .mapToInt(Math::toIntExact)
                    .toArray();
        }
    }

    static ModelRunner runner(Checkpoint ckpt, int maxBatchTokens) {
        return new ModelRunner(ckpt, new RunnerSettings(16, 8, maxBatchTokens, 64, 2));
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void wholeSequenceInOnePrefillMatchesLogits(Path dir) throws Exception {
        Expected e = Expected.read(dir);
        try (Checkpoint ckpt = Checkpoint.open(dir);
                ModelRunner r = runner(ckpt, 64)) {
            int vocab = ckpt.config().vocabSize();
            int[] table = r.reversedBlockTable(e.inputIds.length);
            float[] logits = r.feed(table, e.inputIds, 0, e.inputIds.length, true);
            for (int t = 0; t < e.inputIds.length; t++) {
                assertClose(e.logits, t * vocab, logits, t * vocab, vocab, dir + " token " + t);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void chunksThenSingleTokensThroughTheCacheMatchLogits(Path dir) throws Exception {
        Expected e = Expected.read(dir);
        // Chunks of 5 cross the 16-token block boundaries at different offsets; then one token a step.
        try (Checkpoint ckpt = Checkpoint.open(dir);
                ModelRunner r = runner(ckpt, 5)) {
            int vocab = ckpt.config().vocabSize();
            int n = e.inputIds.length;
            int chunked = 23;
            int[] table = r.reversedBlockTable(n);
            for (int start = 0; start < chunked; start += 5) {
                int end = Math.min(chunked, start + 5);
                float[] logits = r.feed(table, e.inputIds, start, end, true);
                for (int t = start; t < end; t++) {
                    assertClose(e.logits, t * vocab, logits, (t - start) * vocab, vocab, dir + " chunked token " + t);
                }
            }
            for (int t = chunked; t < n; t++) {
                float[] logits = r.feed(table, e.inputIds, t, t + 1, false);
                assertClose(e.logits, t * vocab, logits, 0, vocab, dir + " decode token " + t);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("checkpoints")
    void greedyContinuationMatchesIds(Path dir) throws Exception {
        assertArrayEquals(Expected.read(dir).greedyOutput, greedy(dir, KvDtype.F32), dir.toString());
    }

    /**
     * The int8 KV cache keeps the reference's greedy tokens: fed the reference continuation, its
     * argmax is the reference's token at every position where the f32 logits' top two are not a
     * near-tie (0.02 apart at least; int8 KV moves logits by about 0.01 on these random-weight
     * models), and where the first 16 positions have no near-tie, greedy decoding itself gives the
     * first 16 tokens unchanged.
     */
    @ParameterizedTest
    @MethodSource("checkpoints")
    void anInt8KvCacheKeepsTheGreedyTokens(Path dir) throws Exception {
        Expected e = Expected.read(dir);
        float[] f32Gaps = teacherForced(dir, KvDtype.F32, null);
        int[] int8Argmax = new int[e.greedyOutput.length];
        teacherForced(dir, KvDtype.INT8, int8Argmax);
        boolean tieInFirst16 = false;
        for (int i = 0; i < e.greedyOutput.length; i++) {
            if (f32Gaps[i] >= 0.02f) {
                assertEquals(e.greedyOutput[i], int8Argmax[i], dir + ": int8 KV, output " + i);
            } else if (i < 16) {
                tieInFirst16 = true;
            }
        }
        if (!tieInFirst16) {
            assertArrayEquals(
                    java.util.Arrays.copyOf(e.greedyOutput, 16),
                    java.util.Arrays.copyOf(greedy(dir, KvDtype.INT8), 16),
                    dir + ": int8 KV, greedy");
        }
    }

    /** Feeds the reference continuation; returns per output the top-two logit gap, and the argmax into argmax. */
    static float[] teacherForced(Path dir, KvDtype kvDtype, int[] argmax) throws Exception {
        Expected e = Expected.read(dir);
        try (Checkpoint ckpt = Checkpoint.open(dir);
                ModelRunner r = new ModelRunner(ckpt, new RunnerSettings(16, 8, 64, 64, 2).withKvDtype(kvDtype))) {
            int vocab = ckpt.config().vocabSize();
            int p = e.greedyPrompt.length;
            int[] ids = new int[p + e.greedyOutput.length];
            System.arraycopy(e.greedyPrompt, 0, ids, 0, p);
            System.arraycopy(e.greedyOutput, 0, ids, p, e.greedyOutput.length);
            int[] table = r.reversedBlockTable(ids.length);
            float[] gaps = new float[e.greedyOutput.length];
            float[] logits = r.feed(table, ids, 0, p, false);
            for (int i = 0; i < gaps.length; i++) {
                int best = argmax(logits, vocab);
                float second = Float.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    if (v != best) {
                        second = Math.max(second, logits[v]);
                    }
                }
                gaps[i] = logits[best] - second;
                if (argmax != null) {
                    argmax[i] = best;
                }
                if (p + i + 1 < ids.length) {
                    logits = r.feed(table, ids, p + i, p + i + 1, false);
                }
            }
            return gaps;
        }
    }

    static int[] greedy(Path dir, KvDtype kvDtype) throws Exception {
        Expected e = Expected.read(dir);
        try (Checkpoint ckpt = Checkpoint.open(dir);
                ModelRunner r = new ModelRunner(ckpt, new RunnerSettings(16, 8, 64, 64, 2).withKvDtype(kvDtype))) {
            int vocab = ckpt.config().vocabSize();
            int[] ids = new int[e.greedyPrompt.length + e.greedyOutput.length];
            System.arraycopy(e.greedyPrompt, 0, ids, 0, e.greedyPrompt.length);
            int[] table = r.reversedBlockTable(ids.length);
            int len = e.greedyPrompt.length;
            float[] logits = r.feed(table, ids, 0, len, false);
            while (len < ids.length) {
                ids[len] = argmax(logits, vocab);
                logits = r.feed(table, ids, len, len + 1, false);
                len++;
            }
            return java.util.Arrays.copyOfRange(ids, e.greedyPrompt.length, ids.length);
        }
    }

    static int argmax(float[] x, int n) {
        int best = 0;
        for (int i = 1; i < n; i++) {
            if (x[i] > x[best]) {
                best = i;
            }
        }
        return best;
    }

    static void assertClose(float[] expected, int eOff, float[] actual, int aOff, int n, String what) {
        float worst = 0;
        int at = -1;
        for (int i = 0; i < n; i++) {
            float d = Math.abs(expected[eOff + i] - actual[aOff + i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= TOLERANCE, what + ": max |logit diff| " + worst + " at vocab index " + at);
        assertEquals(argmax(slice(expected, eOff, n), n), argmax(slice(actual, aOff, n), n), what + ": argmax");
    }

    static float[] slice(float[] x, int off, int n) {
        return java.util.Arrays.copyOfRange(x, off, off + n);
    }
}
