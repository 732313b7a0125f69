package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/** The vector species every kernel uses, chosen once for the machine, and element reads in each format. */
final class Vectors {
    static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    static final int LANES = F.length();
    /** Same width as F: one int lane holds two bf16 weights. */
    static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED.withShape(F.vectorShape());
    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private Vectors() {}

    static FloatVector loadF32(MemorySegment segment, long byteOffset) {
        return FloatVector.fromMemorySegment(F, segment, byteOffset, LE);
    }

    static float bf16(MemorySegment segment, long byteOffset) {
        return TensorFormat.BF16.read(segment, byteOffset / 2);
    }
}
