package dev.tandem.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Each kernel against a plain scalar reference, on shapes with vector tails and odd batch sizes. */
class KernelsTest {
    static final Random RANDOM = new Random(3);

    static float[] randoms(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = RANDOM.nextFloat() * 2 - 1;
        }
        return x;
    }

    static WeightMatrix matrix(Arena arena, float[] values, int rows, int cols, TensorFormat f) {
        MemorySegment s = arena.allocate(rows * f.rowBytes(cols));
        for (int i = 0; i < values.length; i++) {
            switch (f) {
                case F32 -> s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, values[i]);
                case F16 -> s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, Float.floatToFloat16(values[i]));
                case BF16 ->
                    s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToIntBits(values[i]) >>> 16));
                default -> throw new IllegalArgumentException(f + " is built by QuantizedKernelsTest");
            }
        }
        return new WeightMatrix(s, f, rows, cols);
    }

    /** apply (with bias) and applyAdd (onto a residual) of tokens random rows, against a double-precision scalar reference. */
    static void assertMatmulMatchesReference(Matmul matmul, WeightMatrix w, float[] bias, int tokens, String label) {
        int rows = w.rows(), cols = w.cols();
        float[] x = randoms(tokens * cols);
        float[] out = new float[tokens * rows];
        matmul.apply(w, bias, x, tokens, out);
        float[] residual = randoms(tokens * rows);
        float[] added = residual.clone();
        matmul.applyAdd(w, null, x, tokens, added);
        for (int t = 0; t < tokens; t++) {
            for (int r = 0; r < rows; r++) {
                double ref = 0;
                for (int k = 0; k < cols; k++) {
                    ref += (double) w.format().read(w.data(), (long) r * cols + k) * x[t * cols + k];
                }
                String at = label + ", " + rows + "x" + cols + ", tokens=" + tokens + ", t=" + t + ", r=" + r;
                assertEquals(ref + bias[r], out[t * rows + r], 1e-4, at);
                assertEquals(ref + residual[t * rows + r], added[t * rows + r], 1e-4, at + " (add)");
            }
        }
    }

    @Test
    void matmulMatchesScalarReferenceForEveryFormatAndBatchSize() {
        try (Arena arena = Arena.ofShared();
                ThreadTeam team = new ThreadTeam(2)) {
            Matmul matmul = new Matmul(team);
            // 133 columns exercise the per-row path with vector tails; 128 the 4x4 bf16 tiles (77 rows: a row
            // remainder).
            for (int cols : new int[] {133, 128}) {
                int rows = 77;
                for (TensorFormat f : new TensorFormat[] {TensorFormat.F32, TensorFormat.F16, TensorFormat.BF16}) {
                    WeightMatrix w = matrix(arena, randoms(rows * cols), rows, cols, f);
                    float[] bias = randoms(rows);
                    for (int tokens : new int[] {1, 2, 3, 4, 5, 9, 16}) {
                        assertMatmulMatchesReference(matmul, w, bias, tokens, f.toString());
                    }
                }
            }
        }
    }

    /**
     * Several matrices on one input in one parallel loop (q, k, v) give exactly what separate calls
     * give, for the Java tiles (4 tokens) and the C kernel (16), with biases; matrices of different
     * widths fall back to separate calls.
     */
    @Test
    void fusedMatmulEqualsSeparateCalls() {
        try (Arena arena = Arena.ofShared();
                ThreadTeam team = new ThreadTeam(2)) {
            Matmul matmul = new Matmul(team);
            int cols = 128;
            WeightMatrix[] ws = {
                matrix(arena, randoms(96 * cols), 96, cols, TensorFormat.BF16),
                matrix(arena, randoms(32 * cols), 32, cols, TensorFormat.BF16),
                matrix(arena, randoms(40 * cols), 40, cols, TensorFormat.BF16)
            };
            float[][] biases = {randoms(96), null, randoms(40)};
            for (int tokens : new int[] {4, 16}) {
                float[] x = randoms(tokens * cols);
                float[][] fused = {new float[tokens * 96], new float[tokens * 32], new float[tokens * 40]};
                matmul.apply(ws, biases, x, tokens, fused);
                for (int i = 0; i < ws.length; i++) {
                    float[] alone = new float[tokens * ws[i].rows()];
                    matmul.apply(ws[i], biases[i], x, tokens, alone);
                    org.junit.jupiter.api.Assertions.assertArrayEquals(
                            alone, fused[i], "matrix " + i + ", tokens " + tokens);
                }
            }
            WeightMatrix wide = matrix(arena, randoms(8 * 256), 8, 256, TensorFormat.BF16);
            float[] x = randoms(2 * 256);
            float[][] outs = {new float[2 * 8], new float[2 * 8]};
            matmul.apply(new WeightMatrix[] {wide, wide}, null, x, 2, outs);
            float[] alone = new float[2 * 8];
            matmul.apply(wide, null, x, 2, alone);
            org.junit.jupiter.api.Assertions.assertArrayEquals(alone, outs[1]);
        }
    }

    @Test
    void rmsNormAndSwiglu() {
        float[] x = {1, 2, 3, 4};
        float[] w = {1, 0.5f, 2, 1};
        float[] out = new float[4];
        RmsNorm.apply(x, 0, out, 0, w, 4, 1, 0f);
        float rms = (float) Math.sqrt((1 + 4 + 9 + 16) / 4.0);
        assertEquals(1 / rms, out[0], 1e-6);
        assertEquals(2 * 0.5f / rms, out[1], 1e-6);
        assertEquals(3 * 2 / rms, out[2], 1e-6);
        float[] gate = {0f, 1f, -2f};
        Activations.swiglu(gate, new float[] {5f, 2f, 1f}, 3);
        assertEquals(0f, gate[0], 1e-7);
        assertEquals(2f / (1 + Math.exp(-1)), gate[1], 1e-6);
        assertEquals(-2f / (1 + Math.exp(2)), gate[2], 1e-6);
    }

    @Test
    void softmaxMatchesScalarReferenceWithVectorTails() {
        for (int n : new int[] {1, 7, 16, 37, 640}) {
            float[] x = randoms(n + 3);
            for (int i = 0; i < x.length; i++) {
                x[i] *= 20;
            }
            float[] y = x.clone();
            Activations.softmax(y, 3, n);
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int i = 3; i < n + 3; i++) {
                max = Math.max(max, x[i]);
            }
            for (int i = 3; i < n + 3; i++) {
                sum += Math.exp(x[i] - max);
            }
            for (int i = 3; i < n + 3; i++) {
                assertEquals(Math.exp(x[i] - max) / sum, y[i], 1e-6, "n=" + n + " i=" + i);
            }
            assertEquals(x[0], y[0], "outside the range untouched");
        }
    }

    @Test
    void ropeRotatesHalvesByPositionTimesFrequency() {
        Rope rope = new Rope(4, new double[] {1.0, 0.5}, 8, 1.0);
        float[] x = {1, 0, 0, 0};
        rope.apply(x, 0, 1, 3);
        assertEquals(Math.cos(3.0), x[0], 1e-6);
        assertEquals(Math.sin(3.0), x[2], 1e-6);
        assertEquals(0f, x[1], 1e-6);
    }

    /**
     * Attention through a scrambled block table equals naive causal attention over contiguous K/V;
     * the shapes cover group sizes 1, 2 and 3, odd head sizes, and blocks shorter and longer than
     * one vector. Every token at once (a prefill: whole tokens per chunk, all heads, or as many as
     * a very long context's score budget allows) and the last token alone (a decode: a chunk per
     * head) read the same cache.
     */
    @ParameterizedTest
    @CsvSource({"4,2,16,4,11", "3,1,20,16,37", "2,2,32,16,33", "6,2,17,32,70", "8,4,8,4,19"})
    void pagedAttentionReadsThroughTheBlockTable(int heads, int kvHeads, int headDim, int blockSize, int len) {
        PagedKvLayout layout = new PagedKvLayout(1, kvHeads, headDim, blockSize, 8);
        int[] table = {5, 2, 7, 0, 3};
        try (Arena arena = Arena.ofShared();
                ThreadTeam team = new ThreadTeam(2)) {
            MemorySegment kv = arena.allocate(layout.totalBytes());
            float[] k = randoms(len * kvHeads * headDim),
                    v = randoms(len * kvHeads * headDim),
                    q = randoms(len * heads * headDim);
            for (int t = 0; t < len; t++) {
                layout.store(kv, 0, table, t, k, t * kvHeads * headDim, v, t * kvHeads * headDim);
            }
            int[] positions = new int[len];
            for (int t = 0; t < len; t++) {
                positions[t] = t;
            }
            int last = (len - 1) * heads * headDim;
            for (int maxContext : new int[] {80, 400_000}) {
                PagedAttention attention = new PagedAttention(team, layout, heads, maxContext);
                for (int window : new int[] {0, 5}) {
                    float[] expected = naiveAttention(q, k, v, heads, kvHeads, headDim, len, window);
                    float[] out = new float[len * heads * headDim];
                    attention.attend(kv, 0, q, out, len, positions, new int[len], new int[][] {table}, window);
                    float[] single = new float[heads * headDim];
                    attention.attend(
                            kv,
                            0,
                            Arrays.copyOfRange(q, last, q.length),
                            single,
                            1,
                            new int[] {len - 1},
                            new int[1],
                            new int[][] {table},
                            window);
                    for (int i = 0; i < out.length; i++) {
                        assertEquals(
                                expected[i],
                                out[i],
                                1e-5,
                                "all tokens, element " + i + " window=" + window + " context=" + maxContext);
                    }
                    for (int i = 0; i < single.length; i++) {
                        assertEquals(
                                expected[last + i], single[i], 1e-5, "last token, element " + i + " window=" + window);
                    }
                }
            }
        }
    }

    private static float[] naiveAttention(
            float[] q, float[] k, float[] v, int heads, int kvHeads, int headDim, int len, int window) {
        float[] out = new float[len * heads * headDim];
        for (int t = 0; t < len; t++) {
            for (int h = 0; h < heads; h++) {
                int kvh = h / (heads / kvHeads);
                int start = window > 0 ? Math.max(0, t - window + 1) : 0;
                double[] s = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int j = start; j <= t; j++) {
                    double d = 0;
                    for (int i = 0; i < headDim; i++) {
                        d += q[(t * heads + h) * headDim + i] * k[(j * kvHeads + kvh) * headDim + i];
                    }
                    s[j] = d / Math.sqrt(headDim);
                    max = Math.max(max, s[j]);
                }
                for (int j = start; j <= t; j++) {
                    s[j] = Math.exp(s[j] - max);
                    sum += s[j];
                }
                for (int i = 0; i < headDim; i++) {
                    double ref = 0;
                    for (int j = start; j <= t; j++) {
                        ref += s[j] / sum * v[(j * kvHeads + kvh) * headDim + i];
                    }
                    out[(t * heads + h) * headDim + i] = (float) ref;
                }
            }
        }
        return out;
    }

    @Test
    void threadTeamRunsEveryChunkExactlyOnce() {
        try (ThreadTeam team = new ThreadTeam(3)) {
            for (int round = 0; round < 200; round++) {
                int n = 1 + round % 37;
                java.util.concurrent.atomic.AtomicIntegerArray hits =
                        new java.util.concurrent.atomic.AtomicIntegerArray(n);
                team.run(n, (chunk, worker) -> hits.incrementAndGet(chunk));
                for (int i = 0; i < n; i++) {
                    assertEquals(1, hits.get(i), "round " + round + " chunk " + i);
                }
            }
        }
    }
}
