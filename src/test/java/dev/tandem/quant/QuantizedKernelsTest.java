package dev.tandem.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.kernels.Matmul;
import dev.tandem.kernels.NativeKernels;
import dev.tandem.kernels.Quantization;
import dev.tandem.kernels.ThreadTeam;
import dev.tandem.kernels.WeightMatrix;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Group quantization and the Q8/Q4 kernels: the dequantized weights are within half a step of the
 * originals, and the kernels' matmul equals a dequantize-then-f32 reference to float rounding,
 * for every batch size from decode (1 token) through the token groups of prefill: the Java
 * kernels on the activations as they are, the C kernels on the activations quantized per weight
 * group (and within 2% of the exact result).
 */
class QuantizedKernelsTest {
    static WeightMatrix matrix(Arena arena, GroupQuantizer.Quantized q, int rows, int cols, QuantScheme s) {
        MemorySegment data = arena.allocate(q.data().length);
        MemorySegment.copy(q.data(), 0, data, ValueLayout.JAVA_BYTE, 0, q.data().length);
        MemorySegment scales = arena.allocate(4L * q.scales().length);
        MemorySegment.copy(q.scales(), 0, scales, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, q.scales().length);
        MemorySegment zeros = null;
        if (q.zeros() != null) {
            zeros = arena.allocate(q.zeros().length);
            MemorySegment.copy(q.zeros(), 0, zeros, ValueLayout.JAVA_BYTE, 0, q.zeros().length);
        }
        return new WeightMatrix(
                data, s.format(), rows, cols, new Quantization(scales, zeros, s.groupSize(), s.fixedZero()));
    }

    /** Gaussian weights (sd 0.05) with every n-th one shifted by offset, so that groups have zero points. */
    static float[] weights(Random random, int count, int n, float offset) {
        float[] w = new float[count];
        for (int i = 0; i < count; i++) {
            w[i] = (float) random.nextGaussian() * 0.05f + (i % n == 0 ? offset : 0f);
        }
        return w;
    }

    /** The C kernels are built wherever a C compiler is (src-native/kernels/build.sh): then they must load. */
    static void assumeNativeBuiltOrSkip(boolean useNative) {
        if (useNative) {
            Assumptions.assumeTrue(
                    java.nio.file.Files.exists(java.nio.file.Path.of("target/native/libtandem_kernels.so")),
                    "no C compiler at build time");
            assertTrue(NativeKernels.available(), NativeKernels.status());
        }
    }

    /** The reference activation quantizer (NativeKernels.quantizeActivationsNative says what it computes). */
    static void quantizeActivations(float[] x, int n, int block, boolean pairBlocks, byte[] xq, float[] xs) {
        for (int b = 0; b * block < n; b++) {
            int off = b * block;
            float max = 0;
            for (int i = 0; i < block; i++) {
                max = Math.max(max, Math.abs(x[off + i]));
            }
            float scale = max / 127f;
            xs[b] = scale;
            float inverse = scale == 0 ? 0 : 1 / scale;
            for (int i = 0; i < block; i++) {
                int quarter = (i & 63) >> 4; // paired: first halves of both 32-blocks, then second halves
                int at = !pairBlocks ? i : quarter == 1 ? i + 16 : quarter == 2 ? i - 16 : i;
                xq[off + at] = (byte) Math.round(x[off + i] * inverse);
            }
        }
    }

    /**
     * The C activation quantizer writes what the reference does for the few-token kernels, in
     * natural order at the portable level and with 32-blocks paired for Q4 in groups of 64 at AVX2
     * and up, with each group's code sum.
     */
    @ParameterizedTest
    @CsvSource({"8,32", "8,128", "4,128", "4,64", "4,32"})
    void nativeActivationQuantizationEqualsTheReference(int bits, int group) {
        assumeNativeBuiltOrSkip(true);
        Random random = new Random(5);
        int cols = 512, tokens = 3;
        float[] x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian() * (i % 97 == 0 ? 8 : 1);
        }
        x[700] = 0;
        java.util.Arrays.fill(x, 1024, 1152, 0f); // an all-zero block
        QuantScheme scheme = new QuantScheme(bits, group, false);
        try (Arena arena = Arena.ofConfined()) {
            WeightMatrix m = matrix(arena, GroupQuantizer.quantize(new float[cols], 1, cols, scheme), 1, cols, scheme);
            for (int level = 0; level <= 3; level++) {
                if (NativeKernels.useLevel(level) < level) {
                    continue;
                }
                long[] sizes = new long[2];
                NativeKernels.bufferSizes(m, tokens, sizes);
                assertEquals(x.length, sizes[0], "codes of a few tokens are one byte per value");
                byte[] codes = new byte[x.length];
                float[] scales = new float[(int) sizes[1]];
                int[] sums = new int[(int) sizes[1]];
                NativeKernels.quantize(
                        MemorySegment.ofArray(x),
                        m,
                        tokens,
                        MemorySegment.ofArray(codes),
                        MemorySegment.ofArray(scales),
                        MemorySegment.ofArray(sums));
                boolean paired = bits == 4 && group % 64 == 0 && level > 0;
                byte[] expected = new byte[x.length];
                float[] expectedScales = new float[scales.length];
                quantizeActivations(x, x.length, group, paired, expected, expectedScales);
                org.junit.jupiter.api.Assertions.assertArrayEquals(expectedScales, scales, "scales, level " + level);
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected, codes, "codes, level " + level);
                for (int g = 0; g < sums.length; g++) {
                    int sum = 0;
                    for (int i = g * group; i < (g + 1) * group; i++) {
                        sum += expected[i];
                    }
                    assertEquals(sum, sums[g], "code sum of group " + g);
                }
            }
        } finally {
            NativeKernels.useLevel(NativeKernels.level());
        }
    }

    /**
     * The C kernels define a product by exact integer sums per group, then one FMA per group in
     * order: every instruction set and kernel (few-token rows, 8- and 16-token lanes, partial tiles) gives
     * the portable code's bits, and a token the same bits alone as in any batch.
     */
    @ParameterizedTest
    @CsvSource({"8,128,false", "8,64,true", "4,128,false", "4,32,true", "4,256,false", "8,256,false"})
    void everyLevelAndBatchGivesThePortableBits(int bits, int group, boolean symmetric) {
        assumeNativeBuiltOrSkip(true);
        QuantScheme scheme = new QuantScheme(bits, group, symmetric);
        int rows = 23, cols = 512;
        Random random = new Random(bits * 31 + group);
        float[] w = weights(random, rows * cols, 5, 0.03f);
        int maxTokens = 35; // the 16-token vectors of AVX-512-VNNI alone, in pairs and partial
        float[] x = new float[maxTokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        try (Arena arena = Arena.ofShared();
                ThreadTeam team = new ThreadTeam(2)) {
            WeightMatrix m = matrix(arena, GroupQuantizer.quantize(w, rows, cols, scheme), rows, cols, scheme);
            Matmul matmul = new Matmul(team, true);
            NativeKernels.useLevel(0);
            float[] reference = new float[maxTokens * rows];
            for (int t = 0; t < maxTokens; t++) {
                float[] one = new float[rows];
                matmul.apply(m, null, java.util.Arrays.copyOfRange(x, t * cols, (t + 1) * cols), 1, one);
                System.arraycopy(one, 0, reference, t * rows, rows);
            }
            int checked = 0;
            for (int level = 0; level <= 3; level++) {
                if (NativeKernels.useLevel(level) < level) {
                    continue;
                }
                for (int tokens = 1; tokens <= maxTokens; tokens++) {
                    float[] out = new float[tokens * rows];
                    matmul.apply(m, null, x, tokens, out);
                    for (int i = 0; i < out.length; i++) {
                        assertEquals(
                                Float.floatToRawIntBits(reference[i]),
                                Float.floatToRawIntBits(out[i]),
                                "level " + level + ", " + tokens + " tokens, token " + i / rows + " row " + i % rows);
                    }
                    checked++;
                }
            }
            assertTrue(checked >= maxTokens, "the portable code at least");
        } finally {
            NativeKernels.useLevel(NativeKernels.level());
        }
    }

    @ParameterizedTest
    @CsvSource({
        "8,128,false,false",
        "8,128,true,false",
        "4,128,false,false",
        "4,128,true,false",
        "4,32,false,false",
        "8,64,true,false",
        "8,128,false,true",
        "8,128,true,true",
        "4,128,false,true",
        "4,128,true,true",
        "4,32,false,true",
        "8,64,true,true",
        "4,64,false,true",
        "4,256,false,true"
    })
    void dequantizedWeightsAreCloseAndKernelsMatchTheDequantizedReference(
            int bits, int group, boolean symmetric, boolean useNative) {
        assumeNativeBuiltOrSkip(useNative);
        QuantScheme scheme = new QuantScheme(bits, group, symmetric);
        int rows = 37, cols = 256;
        Random random = new Random(bits * 1000 + group);
        float[] w = weights(random, rows * cols, 7, 0.02f);
        try (Arena arena = Arena.ofShared();
                ThreadTeam team = new ThreadTeam(2)) {
            GroupQuantizer.Quantized q = GroupQuantizer.quantize(w, rows, cols, scheme);
            WeightMatrix m = matrix(arena, q, rows, cols, scheme);
            float[] deq = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                m.copyRow(r, deq, r * cols);
                for (int c = 0; c < cols; c++) {
                    float step = q.scales()[r * (cols / group) + c / group];
                    assertTrue(
                            Math.abs(deq[r * cols + c] - w[r * cols + c]) <= step * 0.5001f,
                            "row " + r + " col " + c + ": " + deq[r * cols + c] + " vs " + w[r * cols + c] + " (step "
                                    + step + ")");
                }
            }
            Matmul matmul = new Matmul(team, useNative);
            // Every instruction set of the C kernels this CPU can run; the start's is restored after.
            for (int level = useNative ? 0 : 3; level <= 3; level++) {
                int inUse = useNative ? NativeKernels.useLevel(level) : 3;
                if (inUse < level) {
                    continue;
                }
                for (int tokens = 1; tokens <= 11; tokens++) {
                    float[] x = new float[tokens * cols];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = random.nextFloat() * 2 - 1;
                    }
                    float[] out = new float[tokens * rows];
                    matmul.apply(m, null, x, tokens, out);
                    // The C kernels compute on activations quantized per weight group (as llama.cpp
                    // does): the dequantized weights times those; the Java kernels' the originals.
                    float[] xUsed = x;
                    if (useNative) {
                        byte[] xq = new byte[x.length];
                        float[] xs = new float[x.length / group];
                        quantizeActivations(x, x.length, group, false, xq, xs);
                        xUsed = new float[x.length];
                        for (int i = 0; i < x.length; i++) {
                            xUsed[i] = xq[i] * xs[i / group];
                        }
                    }
                    for (int t = 0; t < tokens; t++) {
                        for (int r = 0; r < rows; r++) {
                            double ref = 0;
                            double magnitude = 0;
                            for (int c = 0; c < cols; c++) {
                                ref += (double) deq[r * cols + c] * xUsed[t * cols + c];
                                magnitude += Math.abs((double) deq[r * cols + c] * x[t * cols + c]);
                            }
                            assertEquals(
                                    ref,
                                    out[t * rows + r],
                                    1e-5 * magnitude + 1e-6,
                                    "level " + level + " token " + t + " row " + r);
                            if (useNative) {
                                double exact = 0;
                                for (int c = 0; c < cols; c++) {
                                    exact += (double) deq[r * cols + c] * x[t * cols + c];
                                }
                                assertEquals(
                                        exact,
                                        out[t * rows + r],
                                        0.02 * magnitude,
                                        "quantized activations stay close to exact");
                            }
                        }
                    }
                }
            }
        } finally {
            if (useNative) {
                NativeKernels.useLevel(NativeKernels.level());
            }
        }
    }
}
