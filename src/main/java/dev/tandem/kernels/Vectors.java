package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species every kernel uses, chosen once for the process ({@link KernelPath}: 256 bits
 * on the avx2 path, else the JVM's widest), element reads in each format, and the one way lanes
 * are summed.
 */
final class Vectors {
    static final VectorSpecies<Float> F =
            KernelPath.requested() == KernelPath.AVX2 && FloatVector.SPECIES_PREFERRED.length() > 8
                    ? FloatVector.SPECIES_256
                    : FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();
    /** Same width as F: one int lane holds two bf16 weights. */
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(F.vectorShape());

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    /** Lane i with lane i ^ (LANES / 2), then i ^ (LANES / 4), ... down to i ^ 1. */
    private static final VectorShuffle<Float>[] FOLDS = folds();

    private Vectors() {}

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int steps = Integer.numberOfTrailingZeros(LANES);
        VectorShuffle<Float>[] folds = new VectorShuffle[steps];
        for (int s = 0; s < steps; s++) {
            int half = LANES >> (s + 1);
            folds[s] = VectorShuffle.fromOp(F, i -> i ^ half);
        }
        return folds;
    }

    /**
     * The sum of v's lanes, folding halves: lane i + lane i + LANES/2, then + LANES/4, ... (the C
     * kernels' fold8/fold16 compute the same tree). reduceLanes(ADD) leaves its order to the JVM,
     * which may sum in one order when a loop is interpreted and another once it is compiled: the
     * same call could round differently early and late in a process.
     */
    static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLDS) {
            v = v.add(v.rearrange(fold));
        }
        return v.lane(0);
    }

    static FloatVector loadF32(MemorySegment segment, long byteOffset) {
        return FloatVector.fromMemorySegment(F, segment, byteOffset, LE);
    }

    static float bf16(MemorySegment segment, long byteOffset) {
        return TensorFormat.BF16.read(segment, byteOffset / 2);
    }
}
