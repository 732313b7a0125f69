package dev.tandem.kernels;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.invoke.MethodHandle;

/**
 * Measures the arithmetic peak of this machine with the kernels' threads and instructions
 * (src-native/kernels/compute_peak.c): the roofline that prefill and batched decode are judged
 * against, as {@link MemoryBandwidth} is for decode. A multiply-add counts once.
 */
public final class ComputePeak {
    private static final MethodHandle FMA =
            NativeKernels.criticalHandle("tandem_peak_fma", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG));
    private static final MethodHandle INT8 =
            NativeKernels.criticalHandle("tandem_peak_int8", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG));
    /** Iterations per chunk: about 2 ms at a few GHz. */
    private static final long ITERATIONS = 500_000;
    /** Chunks per thread and round: threads claim chunks as they come, so that one late to start still does its share. */
    private static final int CHUNKS_PER_THREAD = 16;

    private ComputePeak() {}

    /** A peak in multiply-adds per second, and which instructions it was measured with. */
    public record Peak(double macsPerSecond, String instructions) {}

    /** f32 FMAs at the bf16 kernels' width (the widest the C kernels use), on every thread; null without C kernels. */
    public static Peak f32(ThreadTeam team) {
        if (FMA == null || NativeBf16Rows.lanes() == 0) {
            return null;
        }
        int lanes = NativeBf16Rows.lanes();
        double perSecond = best(team, () -> (long) FMA.invokeExact(lanes, ITERATIONS));
        return new Peak(perSecond, "f32 FMA, " + lanes * 32 + "-bit");
    }

    /** Multiply-adds of 8-bit codes into 32-bit sums at the integer kernels' level, on every thread; null without them. */
    public static Peak int8(ThreadTeam team) {
        int level = NativeKernels.level();
        if (INT8 == null || level < 1) {
            return null;
        }
        double perSecond = best(team, () -> (long) INT8.invokeExact(level, ITERATIONS));
        String how = level == 3
                ? "int8 vpdpbusd (AVX-512-VNNI)"
                : level == 2 ? "int8 vpdpbusd (AVX-VNNI)" : "int8 vpmaddubsw + vpmaddwd (AVX2)";
        return new Peak(perSecond, how);
    }

    /** One timed loop of the C code; returns the multiply-adds it did. */
    private interface Loop {
        long run() throws Throwable;
    }

    /** Best of a few rounds, each of every thread at once. */
    private static double best(ThreadTeam team, Loop loop) {
        int chunks = CHUNKS_PER_THREAD * team.size();
        long[] macs = new long[chunks];
        double best = 0;
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            team.run(chunks, (chunk, worker) -> {
                try {
                    macs[chunk] = loop.run();
                } catch (Throwable t) {
                    throw new IllegalStateException(t);
                }
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            best = Math.max(best, java.util.Arrays.stream(macs).sum() / seconds);
        }
        return best;
    }
}
