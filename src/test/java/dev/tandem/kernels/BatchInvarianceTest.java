package dev.tandem.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.quant.GroupQuantizer;
import dev.tandem.quant.QuantScheme;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A token's results do not depend on the batch it is computed in: for every weight format and
 * every kernel this process can run, row t of a batch of n tokens is bit for bit the token
 * computed alone, for every n and t; the same for attention (decode batches, chunked prefill),
 * RMSNorm and the softmax. Within a path bits are compared; across paths (Java and C at other
 * widths, AMX) KernelsTest and NativeBf16RowsTest compare with a tolerance. The build runs this
 * class once on the native path and once with -Dtandem.kernels=avx2 (pom.xml).
 */
class BatchInvarianceTest {
    private static final int[] BATCHES = {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 33};

    @AfterEach
    void restoreKernels() {
        NativeBf16Rows.useDefaults();
    }

    /** The kernels of one path: the Java ones, or the C ones where they loaded (as the process runs them). */
    static List<String> paths() {
        List<String> paths = new ArrayList<>(List.of("java"));
        if (NativeKernels.available()) {
            paths.add("native");
        }
        return paths;
    }

    @ParameterizedTest
    @ValueSource(strings = {"F32", "F16", "BF16", "Q8", "Q4"})
    void everyTokenOfABatchEqualsTheTokenAlone(String format) {
        nativeBuiltOrSkip();
        try (Arena arena = Arena.ofShared();
                ThreadTeam team = new ThreadTeam(2);
                ThreadTeam one = new ThreadTeam(1)) {
            // 133 and 80 columns leave partial vector blocks at both widths; 77 rows a partial tile.
            for (int[] shape : new int[][] {{77, 128}, {77, 133}, {40, 80}, {96, 512}}) {
                WeightMatrix w = weights(arena, format, shape[0], shape[1]);
                if (w == null) {
                    continue;
                }
                float[] bias = KernelsTest.randoms(w.rows());
                for (String path : paths()) {
                    Matmul matmul = new Matmul(team, path.equals("native"));
                    Matmul alone = new Matmul(one, path.equals("native"));
                    for (int n : BATCHES) {
                        float[] x = KernelsTest.randoms(n * w.cols());
                        float[] batch = new float[n * w.rows()];
                        matmul.apply(w, bias, x, n, batch);
                        for (int t = 0; t < n; t++) {
                            float[] single = new float[w.rows()];
                            alone.apply(w, bias, Arrays.copyOfRange(x, t * w.cols(), (t + 1) * w.cols()), 1, single);
                            assertBitwise(
                                    single,
                                    Arrays.copyOfRange(batch, t * w.rows(), (t + 1) * w.rows()),
                                    format + " " + path + " (" + KernelPath.current() + ") " + w.rows() + "x" + w.cols()
                                            + ", token " + t + " of " + n);
                        }
                    }
                }
            }
        }
    }

    /** The C vector kernels compute the Java tiles' order: same bits, so the choice between them never shows. */
    @Test
    void bf16CKernelsGiveTheJavaKernelsBits() {
        nativeBuiltOrSkip();
        NativeBf16Rows.useAmx(false); // AMX has an order of its own; the batch test covers it
        Assumptions.assumeTrue(
                NativeBf16Rows.lanes() == Vectors.LANES,
                "no C bf16 kernel of the Java vectors' width (" + Vectors.LANES + " lanes): " + KernelPath.describe());
        try (Arena arena = Arena.ofShared();
                ThreadTeam team = new ThreadTeam(2)) {
            Matmul java = new Matmul(team, false);
            Matmul c = new Matmul(team, true);
            for (int[] shape : new int[][] {{77, 128}, {77, 133}, {40, 80}, {256, 768}}) {
                WeightMatrix w = weights(arena, "BF16", shape[0], shape[1]);
                float[] bias = KernelsTest.randoms(w.rows());
                for (int n : BATCHES) {
                    float[] x = KernelsTest.randoms(n * w.cols());
                    float[] a = KernelsTest.randoms(n * w.rows());
                    float[] b = a.clone();
                    java.applyAdd(w, bias, x, n, a);
                    c.applyAdd(w, bias, x, n, b);
                    assertBitwise(
                            a,
                            b,
                            "Java vs C, " + Vectors.LANES + " lanes, " + w.rows() + "x" + w.cols() + ", " + n
                                    + " tokens");
                }
            }
        }
    }

    /**
     * Attention of one sequence's tokens: all at once (a one-piece prefill, in tiles of
     * PagedAttention.MAX_TILE), in chunks (a chunked prefill), and each alone beside other
     * sequences' tokens (decode batches), the same bits; for both KV formats, with and without a
     * sliding window.
     */
    @ParameterizedTest
    @CsvSource({"F32,0", "INT8,0", "F32,20", "INT8,20"})
    void attentionDoesNotDependOnBatchOrChunking(KvDtype dtype, int window) {
        int heads = 8, kvHeads = 4, headDim = 32, blockSize = 16, len = 45;
        PagedKvLayout layout = new PagedKvLayout(1, kvHeads, headDim, blockSize, 16, dtype);
        int[][] tables = {{5, 2, 7, 0}, {1, 3, 4, 6}};
        int width = heads * headDim;
        try (Arena arena = Arena.ofShared();
                ThreadTeam team = new ThreadTeam(2)) {
            MemorySegment kv = arena.allocate(layout.totalBytes());
            PagedAttention attention = new PagedAttention(team, layout, heads, 64);
            for (int seq = 0; seq < 2; seq++) {
                float[] k = KernelsTest.randoms(len * kvHeads * headDim),
                        v = KernelsTest.randoms(len * kvHeads * headDim);
                for (int t = 0; t < len; t++) {
                    layout.store(kv, 0, tables[seq], t, k, t * kvHeads * headDim, v, t * kvHeads * headDim);
                }
            }
            float[] q = KernelsTest.randoms(len * width);
            float[] whole = attend(attention, kv, q, 0, len, 0, tables, window);
            for (int chunk : new int[] {1, 7, 16, 30}) {
                for (int from = 0; from < len; from += chunk) {
                    int to = Math.min(len, from + chunk);
                    float[] part = attend(
                            attention,
                            kv,
                            Arrays.copyOfRange(q, from * width, to * width),
                            from,
                            to - from,
                            0,
                            tables,
                            window);
                    assertBitwise(
                            Arrays.copyOfRange(whole, from * width, to * width), part, "chunk " + from + ".." + to);
                }
            }
            // Decode: token 40 of sequence 0 beside tokens of sequence 1, first and last in the batch.
            float[] mine = Arrays.copyOfRange(q, 40 * width, 41 * width);
            float[] others = KernelsTest.randoms(3 * width);
            for (int place : new int[] {0, 3}) {
                float[] queries = new float[4 * width];
                int[] positions = new int[4];
                int[] sequences = new int[4];
                for (int i = 0, o = 0; i < 4; i++) {
                    if (i == place) {
                        System.arraycopy(mine, 0, queries, i * width, width);
                        positions[i] = 40;
                    } else {
                        System.arraycopy(others, o * width, queries, i * width, width);
                        positions[i] = 10 + 11 * o++;
                        sequences[i] = 1;
                    }
                }
                float[] out = new float[4 * width];
                attention.attend(kv, 0, queries, out, 4, positions, sequences, tables, window);
                assertBitwise(
                        Arrays.copyOfRange(whole, 40 * width, 41 * width),
                        Arrays.copyOfRange(out, place * width, (place + 1) * width),
                        "decode batch, place " + place);
            }
        }
    }

    private static float[] attend(
            PagedAttention attention,
            MemorySegment kv,
            float[] q,
            int first,
            int n,
            int seq,
            int[][] tables,
            int window) {
        int[] positions = new int[n];
        int[] sequences = new int[n];
        for (int i = 0; i < n; i++) {
            positions[i] = first + i;
            sequences[i] = seq;
        }
        float[] out = new float[q.length];
        attention.attend(kv, 0, q, out, n, positions, sequences, tables, window);
        return out;
    }

    @Test
    void rmsNormAndSoftmaxOfManyRowsEqualEachRowAlone() {
        for (int size : new int[] {256, 133}) {
            int n = 9;
            float[] x = KernelsTest.randoms(n * size), weight = KernelsTest.randoms(size);
            float[] all = new float[n * size];
            RmsNorm.apply(x, 0, all, 0, weight, size, n, 1e-5f);
            float[] probs = x.clone();
            for (int t = 0; t < n; t++) {
                float[] one = new float[size];
                RmsNorm.apply(Arrays.copyOfRange(x, t * size, (t + 1) * size), 0, one, 0, weight, size, 1, 1e-5f);
                assertBitwise(one, Arrays.copyOfRange(all, t * size, (t + 1) * size), "rmsnorm row " + t);
                float[] row = Arrays.copyOfRange(x, t * size, (t + 1) * size);
                Activations.softmax(row, 0, size);
                Activations.softmax(probs, t * size, size);
                assertBitwise(row, Arrays.copyOfRange(probs, t * size, (t + 1) * size), "softmax row " + t);
            }
        }
    }

    /** -Dtandem.kernels=avx2 gives the users' path on any CPU: 256-bit vectors, C kernels of that width, no AMX. */
    @Test
    void theRequestedPathIsThePathThatRuns() {
        String path = KernelPath.describe();
        if (KernelPath.requested() == KernelPath.AVX2) {
            assertEquals(8, Vectors.LANES, path);
            assertTrue(NativeBf16Rows.lanes() == 8 || !NativeKernels.available(), path);
            assertTrue(!NativeBf16Rows.amx(), path);
            assertEquals(NativeKernels.available() ? "avx2" : "java-256", KernelPath.current(), path);
        } else if (KernelPath.requested() == KernelPath.JAVA) {
            assertTrue(!NativeKernels.available() && NativeBf16Rows.lanes() == 0, path);
        } else {
            assertEquals(jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length(), Vectors.LANES, path);
            assertTrue(NativeBf16Rows.lanes() == Vectors.LANES || !NativeKernels.available(), path);
        }
    }

    /** Vectors.sum folds halves, whatever the JIT does: the same tree as a scalar reference of it. */
    @Test
    void laneSumsFoldHalvesInOneOrder() {
        float[] v = KernelsTest.randoms(Vectors.LANES);
        float[] tree = v.clone();
        for (int half = Vectors.LANES / 2; half > 0; half /= 2) {
            for (int i = 0; i < half; i++) {
                tree[i] = tree[i] + tree[i + half];
            }
        }
        for (int repeat = 0; repeat < 20_000; repeat++) { // interpreted first, compiled later: the same bits
            assertEquals(
                    Float.floatToRawIntBits(tree[0]),
                    Float.floatToRawIntBits(Vectors.sum(jdk.incubator.vector.FloatVector.fromArray(Vectors.F, v, 0))));
        }
    }

    static void assertBitwise(float[] expected, float[] actual, String label) {
        assertEquals(expected.length, actual.length, label);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                assertArrayEquals(expected, actual, label + ": first difference at " + i);
                assertTrue(
                        false, label + ": element " + i + " differs in its bits: " + expected[i] + " vs " + actual[i]);
            }
        }
    }

    private static void nativeBuiltOrSkip() {
        if (java.nio.file.Files.exists(java.nio.file.Path.of("target/native/libtandem_kernels.so"))
                && KernelPath.requested() != KernelPath.JAVA) {
            assertTrue(NativeKernels.available(), NativeKernels.status());
        }
    }

    /** Random weights of rows x cols in format (Q8, Q4: group size 32, asymmetric); null where cols do not fit the groups. */
    static WeightMatrix weights(Arena arena, String format, int rows, int cols) {
        float[] values = KernelsTest.randoms(rows * cols);
        return switch (format) {
            case "F32", "F16", "BF16" -> KernelsTest.matrix(arena, values, rows, cols, TensorFormat.valueOf(format));
            default -> {
                if (cols % 64 != 0) {
                    yield null;
                }
                QuantScheme scheme = new QuantScheme(format.equals("Q8") ? 8 : 4, 64, false);
                GroupQuantizer.Quantized q = GroupQuantizer.quantize(values, rows, cols, scheme);
                MemorySegment data = arena.allocate(q.data().length);
                MemorySegment.copy(q.data(), 0, data, ValueLayout.JAVA_BYTE, 0, q.data().length);
                MemorySegment scales = arena.allocate(4L * q.scales().length);
                MemorySegment.copy(q.scales(), 0, scales, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, q.scales().length);
                MemorySegment zeros = null;
                if (q.zeros() != null) {
                    zeros = arena.allocate(q.zeros().length);
                    MemorySegment.copy(q.zeros(), 0, zeros, ValueLayout.JAVA_BYTE, 0, q.zeros().length);
                }
                yield new WeightMatrix(
                        data,
                        scheme.format(),
                        rows,
                        cols,
                        new Quantization(scales, zeros, scheme.groupSize(), scheme.fixedZero()));
            }
        };
    }
}
