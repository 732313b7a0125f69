package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Element formats that weight matrices can be stored in; the kernels switch on this once per call.
 * Q8 and Q4 are group-quantized (see {@link Quantization}): Q8 holds one signed byte per weight,
 * Q4 two 4-bit values per byte, packed per block of 32 weights so that byte j of a block holds
 * weight j in its low nibble and weight j + 16 in its high nibble (both halves then line up with
 * consecutive activations).
 */
public enum TensorFormat {
    F32(4),
    F16(2),
    BF16(2),
    Q8(1),
    Q4(0);

    /** Weights per Q4 packing block. */
    public static final int Q4_BLOCK = 32;

    private final int bytesPerElement;

    TensorFormat(int bytesPerElement) {
        this.bytesPerElement = bytesPerElement;
    }

    /** Bytes of one row of cols weights. */
    public long rowBytes(int cols) {
        return this == Q4 ? cols / 2 : (long) cols * bytesPerElement;
    }

    public boolean isQuantized() {
        return this == Q8 || this == Q4;
    }

    /** Element {@code index} of a float tensor in this format, as f32 (bf16 is the upper half of an f32). */
    public float read(MemorySegment data, long index) {
        return switch (this) {
            case F32 -> data.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, index);
            case BF16 ->
                Float.intBitsToFloat((data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index) & 0xFFFF) << 16);
            case F16 -> Float.float16ToFloat(data.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, index));
            case Q8, Q4 ->
                throw new IllegalStateException(
                        this + " weights are read through their WeightMatrix (they need scales)");
        };
    }

    /** The stored (unsigned for Q4, signed for Q8) quantized value of element {@code col} of a row starting at rowBase. */
    int quantized(MemorySegment data, long rowBase, int col) {
        if (this == Q8) {
            return data.get(ValueLayout.JAVA_BYTE, rowBase + col);
        }
        int block = col / Q4_BLOCK * Q4_BLOCK;
        int j = col - block;
        int b = data.get(ValueLayout.JAVA_BYTE, rowBase + block / 2 + (j & 15)) & 0xFF;
        return j < 16 ? b & 0x0F : b >>> 4;
    }
}
