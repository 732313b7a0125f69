package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
        return Float.intBitsToFloat((segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, byteOffset) & 0xFFFF) << 16);
    }

    /** Reads element i of a tensor in the given format as f32. */
    static float element(MemorySegment segment, TensorFormat format, long i) {
        return switch (format) {
            case F32 -> segment.get(ValueLayout.JAVA_FLOAT_UNALIGNED, i * 4);
            case BF16 -> bf16(segment, i * 2);
            case F16 -> Float.float16ToFloat(segment.get(ValueLayout.JAVA_SHORT_UNALIGNED, i * 2));
        };
    }
}
