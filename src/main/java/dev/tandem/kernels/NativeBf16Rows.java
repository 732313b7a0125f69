package dev.tandem.kernels;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The C kernels for bf16 weights times a batch of tokens (src-native/kernels/bf16_rows.c), for
 * any batch from one token up: 4x4 tiles of rows and tokens that compute each dot product in
 * the order of the Java kernels (RowDots) at the same vector width, bit for bit, only faster.
 * Activations are packed once per matmul ({@link #pack}), then every thread computes its rows
 * ({@link #rows}) straight into the output array. {@link #lanes} is 0 where the library or the
 * instruction set of the Java vectors' width (AVX2 or AVX-512F) is missing, or with
 * -Dtandem.kernels=java: the Java tiles run. Where the CPU has AMX (and the path is native), its
 * tile instructions do the products instead ({@link #amx}).
 */
public final class NativeBf16Rows {
    private static final MethodHandle LANES =
            NativeKernels.criticalHandle("tandem_bf16_lanes", FunctionDescriptor.of(JAVA_INT));
    private static final MethodHandle USE_LANES =
            NativeKernels.criticalHandle("tandem_bf16_use_lanes", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PACK = NativeKernels.criticalHandle(
            "tandem_bf16_pack", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle ROWS = NativeKernels.criticalHandle(
            "tandem_bf16_rows",
            FunctionDescriptor.ofVoid(
                    ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle USE_AMX =
            NativeKernels.criticalHandle("tandem_bf16_use_amx", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle PACKED_FLOATS = NativeKernels.criticalHandle(
            "tandem_bf16_packed_floats", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_INT));
    private static final boolean LOADED = LANES != null
            && USE_LANES != null
            && PACK != null
            && ROWS != null
            && USE_AMX != null
            && PACKED_FLOATS != null;
    /** The process's kernels: the C vector width equals the Java one, so that both compute alike. */
    private static final int DEFAULT_LANES =
            LOADED && call(USE_LANES, Vectors.LANES) == Vectors.LANES ? Vectors.LANES : 0;
    // AMX on the native path only; -Dtandem.kernels.amx=false runs the vector kernels on an AMX machine.
    private static final boolean DEFAULT_AMX = DEFAULT_LANES > 0
            && KernelPath.requested() == KernelPath.NATIVE
            && Boolean.parseBoolean(System.getProperty("tandem.kernels.amx", "true"))
            && call(USE_AMX, 1) == 1;
    private static int lanes = useDefaults();
    private static boolean amx = DEFAULT_AMX;

    private NativeBf16Rows() {}

    /** Tokens per vector of the kernel in use (16 with AVX-512F, 8 with AVX2), 0 when it cannot run. */
    public static int lanes() {
        return lanes;
    }

    /** Back to the process's kernels (after a test chose others); returns the lanes in use. */
    public static int useDefaults() {
        lanes = LOADED ? call(USE_LANES, DEFAULT_LANES) : 0;
        amx = LOADED && call(USE_AMX, DEFAULT_AMX ? 1 : 0) == 1;
        return lanes;
    }

    /** For tests: use at most the given lanes (16, 8 or 0 for the Java kernels); returns the lanes in use. */
    public static int useLanes(int wanted) {
        lanes = LOADED ? call(USE_LANES, wanted) : 0;
        return lanes;
    }

    /** Whether AMX tiles do the products, as bf16_tiles.c says why. */
    public static boolean amx() {
        return amx;
    }

    /**
     * The columns before w's rows at which the AMX kernel's steps start: w's offset in its cache
     * line, so that whole steps load whole lines (bf16_tiles.c says why). {@link #pack} and
     * {@link #rows} of one matmul take the same shift.
     */
    static int shift(WeightMatrix w) {
        return amx ? (int) (w.data().address() & 63) / 2 : 0;
    }

    /** For tests: turn the AMX kernel off, or on where the CPU has it; returns whether it is on. */
    public static boolean useAmx(boolean wanted) {
        amx = LOADED && call(USE_AMX, wanted ? 1 : 0) == 1;
        return amx;
    }

    /** Floats that {@link #pack} writes for a batch (a layout of the kernel in use for these columns). */
    static int packedSize(int tokens, int cols) {
        try {
            return Math.toIntExact((long) PACKED_FLOATS.invokeExact(tokens, cols));
        } catch (Throwable t) {
            throw new IllegalStateException("native kernel failed", t);
        }
    }

    /**
     * packed = x[0 .. tokens * cols) in the layout of the kernel in use: each token's row permuted
     * per block as RowDots.permuteForBf16 does, or with AMX bf16 pairs per tile, in steps
     * starting shift columns before the row.
     */
    static void pack(MemorySegment x, int tokens, int cols, int shift, MemorySegment packed) {
        try {
            PACK.invokeExact(x, tokens, cols, shift, packed);
        } catch (Throwable t) {
            throw new IllegalStateException("native kernel failed", t);
        }
    }

    /**
     * out[t * rows + r] = (accumulate ? out[..] : 0) + w[r] . x[t] for rows [from, to) and every
     * token (biases are added by the caller: a model has too many bias arrays to keep a segment of each).
     */
    static void rows(
            WeightMatrix w,
            int from,
            int to,
            MemorySegment packed,
            int tokens,
            int shift,
            boolean accumulate,
            MemorySegment out) {
        // A raw address, as NativeKernels.rows says why: no shared-arena acquire per call.
        MemorySegment data = MemorySegment.ofAddress(w.data().address());
        try {
            ROWS.invokeExact(data, w.cols(), from, to, packed, tokens, shift, accumulate ? 1 : 0, out, w.rows());
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
