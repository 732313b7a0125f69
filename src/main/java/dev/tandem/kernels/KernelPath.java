package dev.tandem.kernels;

import java.util.Locale;

/**
 * Which kernels this process runs, chosen once at start from {@code -Dtandem.kernels} and the
 * CPU, never per call. Each path has one accumulation order for every operation, so a token's
 * results do not depend on the batch it is computed in; paths differ from each other in the last
 * bits (wider vectors sum in another order).
 * <ul>
 *   <li>{@code native} (the default): the widest vectors the JVM offers, the C kernels at the best
 *       instruction set the CPU has, AMX tiles for bf16 where it has them;</li>
 *   <li>{@code avx2}: 256-bit vectors and the C kernels' AVX2 code (AVX-VNNI for int8/int4 where
 *       the CPU has it), on any CPU: what Intel Core Ultra runs, for tests on a bigger machine;</li>
 *   <li>{@code java}: the Java kernels only, at the JVM's widest vectors.</li>
 * </ul>
 */
public enum KernelPath {
    NATIVE,
    AVX2,
    JAVA;

    /** Read on the first call of {@link #requested}, not when the enum loads: a command may set it before. */
    private static final class Requested {
        static final KernelPath VALUE = parse(System.getProperty("tandem.kernels", "native"));
    }

    /** The path a value of -Dtandem.kernels names (any case); an error that lists the choices otherwise. */
    public static KernelPath parse(String value) {
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tandem.kernels=" + value + ": expected native, avx2 or java", e);
        }
    }

    /** The path that -Dtandem.kernels asked for. */
    public static KernelPath requested() {
        return Requested.VALUE;
    }

    /** A short name of what runs, as the metrics label it: java-256, avx2, avx512, amx (bf16 on AMX tiles). */
    public static String name(boolean amx) {
        if (!NativeKernels.available()) {
            return "java-" + Vectors.LANES * 32;
        }
        if (amx) {
            return "amx";
        }
        return Vectors.LANES >= 16 ? "avx512" : Vectors.LANES == 8 ? "avx2" : "java-" + Vectors.LANES * 32;
    }

    /** The path in use, in words: what the server logs at start and the benchmarks print. */
    public static String describe() {
        String bf16 = NativeBf16Rows.lanes() == 0
                ? "Java"
                : NativeBf16Rows.amx() ? "C, AMX tiles" : "C, " + (NativeBf16Rows.lanes() == 16 ? "AVX-512" : "AVX2");
        return current() + " (tandem.kernels=" + requested().name().toLowerCase(Locale.ROOT) + "): "
                + Vectors.LANES * 32 + "-bit Java vectors; bf16 " + bf16 + "; int8/int4 " + NativeKernels.status();
    }

    /** The width of the Java kernels' vectors. */
    public static int vectorBits() {
        return Vectors.LANES * 32;
    }

    /** {@link #name} of the path in use. */
    public static String current() {
        return name(NativeBf16Rows.amx());
    }
}
