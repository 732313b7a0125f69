package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Element formats that weight matrices can be stored in; the kernels switch on this once per call. */
public enum TensorFormat {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytesPerElement;

    TensorFormat(int bytesPerElement) {
        this.bytesPerElement = bytesPerElement;
    }

    public int bytesPerElement() {
        return bytesPerElement;
    }

    /** Element {@code index} of a tensor in this format, as f32 (bf16 is the upper half of an f32). */
    public float read(MemorySegment data, long index) {
        return switch (this) {
            case F32 -> data.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, index);
            case BF16 -> Float.intBitsToFloat((data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index));
        };
    }
}
