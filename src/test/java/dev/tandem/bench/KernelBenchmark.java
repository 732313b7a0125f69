package dev.tandem.bench;

import dev.tandem.kernels.Matmul;
import dev.tandem.kernels.Quantization;
import dev.tandem.kernels.TensorFormat;
import dev.tandem.kernels.ThreadTeam;
import dev.tandem.kernels.WeightMatrix;
import dev.tandem.quant.GroupQuantizer;
import dev.tandem.quant.QuantScheme;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The matmul kernels on the shapes of a Llama 3.2 1B layer: the MLP's gate/up projection
 * ([8192, 2048]) and down projection ([2048, 8192]), for one token (decode: a matrix-vector
 * product, bound by reading the weights) and for 16 and 128 tokens (batched decode and prefill),
 * in bf16, int8 and int4 (group size 128, asymmetric; int8/int4 through the C kernels when built,
 * else Java; -Dtandem.kernels=java forces Java). The weights are 32 MiB (bf16) and larger than
 * the L2 cache but not the L3 cache of big server parts: run with -p shape=... to pick one, and
 * see documentation/benchmarks.md for bytes per operation.
 */
public class KernelBenchmark extends KernelBenchmarkDefaults {
    @Param({"bf16", "int8", "int4"})
    String format;

    @Param({"8192x2048", "2048x8192"})
    String shape;

    @Param({"1", "16", "128"})
    int tokens;

    @Param({"2"})
    int threads;

    private Arena arena;
    private ThreadTeam team;
    private Matmul matmul;
    private WeightMatrix weights;
    private float[] x;
    private float[] out;

    @Setup(Level.Trial)
    public void setUp() {
        String[] dims = shape.split("x");
        int rows = Integer.parseInt(dims[0]), cols = Integer.parseInt(dims[1]);
        Random random = new Random(42);
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian() * 0.02f;
        }
        arena = Arena.ofShared();
        weights = switch (format) {
            case "bf16" -> {
                MemorySegment s = arena.allocate(2L * w.length);
                for (int i = 0; i < w.length; i++) {
                    s.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToIntBits(w[i]) >>> 16));
                }
                yield new WeightMatrix(s, TensorFormat.BF16, rows, cols);
            }
            case "int8", "int4" -> quantized(w, rows, cols, new QuantScheme(format.equals("int8") ? 8 : 4, 128, false));
            default -> throw new IllegalArgumentException(format);
        };
        x = new float[tokens * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextFloat() * 2 - 1;
        }
        out = new float[tokens * rows];
        team = new ThreadTeam(threads);
        matmul = new Matmul(team);
    }

    private WeightMatrix quantized(float[] w, int rows, int cols, QuantScheme scheme) {
        GroupQuantizer.Quantized q = GroupQuantizer.quantize(w, rows, cols, scheme);
        MemorySegment data = arena.allocate(q.data().length);
        MemorySegment.copy(q.data(), 0, data, ValueLayout.JAVA_BYTE, 0, q.data().length);
        MemorySegment scales = arena.allocate(4L * q.scales().length);
        MemorySegment.copy(q.scales(), 0, scales, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, q.scales().length);
        MemorySegment zeros = arena.allocate(q.zeros().length);
        MemorySegment.copy(q.zeros(), 0, zeros, ValueLayout.JAVA_BYTE, 0, q.zeros().length);
        return new WeightMatrix(
                data,
                scheme.format(),
                rows,
                cols,
                new Quantization(scales, zeros, scheme.groupSize(), scheme.fixedZero()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        team.close();
        arena.close();
    }

    @Benchmark
    public float[] matmul() {
        matmul.apply(weights, null, x, tokens, out);
        return out;
    }
}
