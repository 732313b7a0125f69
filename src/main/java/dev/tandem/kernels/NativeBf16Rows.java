package dev.tandem.kernels;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The C kernel for bf16 weights times a batch of tokens (src-native/kernels/bf16_rows.c): the
 * tokens lie in the vector lanes and each weight is broadcast, so no dot product ends in a
 * horizontal reduction, which for the short rows of small models costs as much as the products.
 * Activations are packed once per matmul ({@link #pack}), then every thread computes its rows
 * ({@link #rows}) straight into the output array. {@link #lanes} is 0 where the library or the
 * instruction set (AVX2 or AVX-512F) is missing, or with -Dtandem.kernels=java: the Java tiles run.
 */
public final class NativeBf16Rows {
    private static final MethodHandle LANES = NativeKernels.criticalHandle("tandem_bf16_lanes", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle USE_LANES = NativeKernels.criticalHandle("tandem_bf16_use_lanes",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PACK = NativeKernels.criticalHandle("tandem_bf16_pack",
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle ROWS = NativeKernels.criticalHandle("tandem_bf16_rows",
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final boolean LOADED = LANES != null && USE_LANES != null && PACK != null && ROWS != null;
    private static int lanes = LOADED ? call(LANES, -1) : 0;

    private NativeBf16Rows() {}

    /** Tokens per vector of the kernel in use (16 with AVX-512F, 8 with AVX2), 0 when it cannot run. */
    public static int lanes() {
        return lanes;
    }

    /** For tests: use at most the given lanes (16, 8 or 0 for the Java kernels); returns the lanes in use. */
    public static int useLanes(int wanted) {
        lanes = LOADED ? call(USE_LANES, wanted) : 0;
        return lanes;
    }

    /** Floats that {@link #pack} writes for a batch: tokens rounded up to whole vectors, times cols. */
    static int packedSize(int tokens, int cols) {
        return (tokens + lanes - 1) / lanes * lanes * cols;
    }

    /** packed = x[0 .. tokens * cols) in the kernel's layout (column-major per vector of tokens). */
    static void pack(MemorySegment x, int tokens, int cols, MemorySegment packed) {
        try {
            PACK.invokeExact(x, tokens, cols, packed);
        } catch (Throwable t) {
            throw new IllegalStateException("native kernel failed", t);
        }
    }

    /**
     * out[t * rows + r] = (accumulate ? out[..] : 0) + w[r] . x[t] for rows [from, to) and every
     * token (biases are added by the caller: a model has too many bias arrays to keep a segment of each).
     */
    static void rows(WeightMatrix w, int from, int to, MemorySegment packed, int tokens, boolean accumulate, MemorySegment out) {
        // A raw address, as NativeKernels.rows says why: no shared-arena acquire per call.
        MemorySegment data = MemorySegment.ofAddress(w.data().address());
        try {
            ROWS.invokeExact(data, w.cols(), from, to, packed, tokens, accumulate ? 1 : 0, out, w.rows());
        } catch (Throwable t) {
            throw new IllegalStateException("native kernel failed", t);
        }
    }

    private static int call(MethodHandle handle, int argument) {
        try {
            return argument < 0 ? (int) handle.invokeExact() : (int) handle.invokeExact(argument);
        } catch (Throwable t) {
            throw new IllegalStateException("native kernel failed", t);
        }
    }
}
