package dev.tandem.kernels;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The C kernels of src-native/kernels (Q8/Q4 matrices times int8-quantized activations in exact
 * integer sums; AVX-VNNI or AVX2 where the CPU has them), called through FFM
 * on the weights' own memory and, as critical calls, on the Java activation arrays in place. The
 * library is {@code tandem.native.kernels} if set, else target/native/libtandem_kernels.so under
 * {@code tandem.home}; without it (no C compiler at build time) or with
 * {@code -Dtandem.kernels=java}, the Java kernels run and {@link #status} says why.
 */
public final class NativeKernels {
    /** The loaded library's symbols; null when the Java kernels run. */
    private static final SymbolLookup SYMBOLS;

    private static final MethodHandle ROWS;
    private static final MethodHandle USE_LEVEL;
    private static final MethodHandle QUANTIZE;
    private static final MethodHandle SIZES;
    private static final String STATUS;
    private static final boolean AVAILABLE;
    /** The integer kernels' instruction set at start: 3 AVX-512-VNNI, 2 AVX-VNNI, 1 AVX2, 0 portable C, -1 Java. */
    private static final int LEVEL;

    /** The integer kernels' instruction sets by level. */
    private static final String[] LEVEL_NAMES = {"portable C", "AVX2", "AVX-VNNI", "AVX-512-VNNI"};

    static {
        Path lib = Path.of(System.getProperty(
                "tandem.native.kernels",
                System.getProperty("tandem.home", ".") + "/target/native/libtandem_kernels.so"));
        SymbolLookup symbols = null;
        String whyNot = null;
        if (KernelPath.requested() == KernelPath.JAVA) {
            whyNot = "tandem.kernels=java";
        } else if (!Files.isRegularFile(lib)) {
            whyNot = "no " + lib + "; it is built when a C compiler is present";
        } else {
            try {
                symbols = SymbolLookup.libraryLookup(lib, Arena.global());
            } catch (RuntimeException e) {
                whyNot = lib + " failed to load: " + e;
            }
        }
        SYMBOLS = symbols;
        ROWS = criticalHandle(
                "tandem_int_rows",
                FunctionDescriptor.ofVoid(
                        ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS,
                        ADDRESS, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        QUANTIZE = criticalHandle(
                "tandem_int_quantize",
                FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        SIZES = criticalHandle(
                "tandem_int_buffer_sizes", FunctionDescriptor.ofVoid(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
        USE_LEVEL = criticalHandle("tandem_kernels_use_level", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        MethodHandle best = criticalHandle("tandem_kernels_avx2", FunctionDescriptor.of(JAVA_INT));
        if (whyNot == null
                && (ROWS == null || QUANTIZE == null || SIZES == null || USE_LEVEL == null || best == null)) {
            whyNot = lib + " lacks the quantized kernels (built from older sources?)";
        }
        AVAILABLE = whyNot == null;
        int level = -1;
        if (whyNot != null) {
            STATUS = "java (" + whyNot + ")";
        } else {
            try {
                level = (int) best.invokeExact();
                // The forced AVX2 path is what Intel Core Ultra runs: AVX-VNNI at most, no AVX-512.
                if (level == 3 && KernelPath.requested() == KernelPath.AVX2) {
                    level = (int) USE_LEVEL.invokeExact(2);
                }
                // -Dtandem.kernels.vnni=false: the plain AVX2 integer code on a CPU with VNNI,
                // what an AVX2-only CPU (AMD Zen 3 and older) runs.
                if (level >= 2 && !Boolean.parseBoolean(System.getProperty("tandem.kernels.vnni", "true"))) {
                    level = (int) USE_LEVEL.invokeExact(1);
                }
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
            STATUS = "native " + LEVEL_NAMES[level] + " (" + lib + ")";
        }
        LEVEL = level;
    }

    /**
     * A critical downcall handle of the library (no thread-state transition, heap arrays passed in
     * place); null when the library is not loaded or lacks the symbol (one built from older
     * sources), so that each kernel falls back to Java on its own.
     */
    static MethodHandle criticalHandle(String name, FunctionDescriptor descriptor) {
        return SYMBOLS == null
                ? null
                : SYMBOLS.find(name)
                        .map(symbol ->
                                Linker.nativeLinker().downcallHandle(symbol, descriptor, Linker.Option.critical(true)))
                        .orElse(null);
    }

    private NativeKernels() {}

    public static boolean available() {
        return AVAILABLE;
    }

    /** The integer kernels' instruction set chosen at start: 3 AVX-512-VNNI, 2 AVX-VNNI, 1 AVX2, 0 portable C, -1 Java. */
    public static int level() {
        return LEVEL;
    }

    /** Which quantized kernels run, and why. */
    public static String status() {
        return STATUS;
    }

    /**
     * For tests: makes the C kernels use the highest level at most {@code wanted} that the CPU
     * has (0 the portable code, 1 AVX2, 2 AVX-VNNI, 3 AVX-512-VNNI); returns the level in use.
     */
    public static int useLevel(int wanted) {
        try {
            return (int) USE_LEVEL.invokeExact(wanted);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /**
     * How big the buffers of {@link #quantize} must be for this batch: sizes[0] bytes of codes,
     * sizes[1] entries of the scales and of the code sums each (the C kernels pick the layout).
     */
    public static void bufferSizes(WeightMatrix w, int tokens, long[] sizes) {
        try {
            SIZES.invokeExact(
                    w.format() == TensorFormat.Q4 ? 1 : 0,
                    tokens,
                    w.cols(),
                    w.quantization().groupSize(),
                    MemorySegment.ofArray(sizes));
        } catch (Throwable t) {
            throw new IllegalStateException("native kernel failed", t);
        }
    }

    /**
     * Quantizes x[tokens][w.cols] per weight group in C, for {@link #rows} on w: per group xs =
     * max|x| / 127, xq = round(x / xs) (so x ~= xq * xs) and sq = the sum of the group's codes, in
     * the layout the kernels for this batch read (src-native/kernels/tandem_kernels.c describes it).
     */
    public static void quantize(
            MemorySegment x, WeightMatrix w, int tokens, MemorySegment xq, MemorySegment xs, MemorySegment sq) {
        try {
            QUANTIZE.invokeExact(
                    x,
                    w.format() == TensorFormat.Q4 ? 1 : 0,
                    tokens,
                    w.cols(),
                    w.quantization().groupSize(),
                    xq,
                    xs,
                    sq);
        } catch (Throwable t) {
            throw new IllegalStateException("native kernel failed", t);
        }
    }

    /**
     * out[t * outStride + (r - from)] = w[r] . x[t] for rows [from, to) and tokens [0, tokens), on
     * the activations {@link #quantize} wrote for this batch: per group the exact integer sum of
     * (code - zero) times the activation codes, then in group order total = fma(sum, weight scale
     * times activation scale, total). Every kernel and instruction set computes exactly that, so
     * the result does not depend on the batch or the CPU.
     */
    static void rows(
            WeightMatrix w,
            int from,
            int to,
            MemorySegment xq,
            MemorySegment xs,
            MemorySegment sq,
            int tokens,
            MemorySegment out,
            int outStride) {
        Quantization q = w.quantization();
        // Raw addresses: a segment of the checkpoint's shared arena would be acquired and released
        // on every call, an atomic on one counter that all kernel threads share. The checkpoint
        // outlives every step that reads it.
        MemorySegment data = MemorySegment.ofAddress(w.data().address());
        MemorySegment scales = MemorySegment.ofAddress(q.scales().address());
        MemorySegment zeros = q.zeros() == null
                ? MemorySegment.NULL
                : MemorySegment.ofAddress(q.zeros().address());
        try {
            ROWS.invokeExact(
                    data,
                    scales,
                    zeros,
                    q.fixedZero(),
                    w.format() == TensorFormat.Q4 ? 1 : 0,
                    q.groupSize(),
                    w.cols(),
                    from,
                    to,
                    xq,
                    xs,
                    sq,
                    tokens,
                    out,
                    outStride);
        } catch (Throwable t) {
            throw new IllegalStateException("native kernel failed", t);
        }
    }
}
