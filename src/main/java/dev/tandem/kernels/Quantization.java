package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Scales and zero points of a group-quantized weight matrix: the columns of each row fall in
 * groups of groupSize, and weight = (q - zero) * scale with the group's scale (f32) and zero
 * point (one byte per group: signed for Q8, unsigned for Q4; or, for symmetric schemes, the
 * constant {@code fixedZero} and no zero-point tensor).
 */
public record Quantization(MemorySegment scales, MemorySegment zeros, int groupSize, int fixedZero) {
    public int groups(int cols) {
        return cols / groupSize;
    }

    public float scale(int row, int group, int groupsPerRow) {
        return scales.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, (long) row * groupsPerRow + group);
    }

    public int zero(TensorFormat format, int row, int group, int groupsPerRow) {
        if (zeros == null) {
            return fixedZero;
        }
        byte z = zeros.get(ValueLayout.JAVA_BYTE, (long) row * groupsPerRow + group);
        return format == TensorFormat.Q4 ? z & 0xFF : z;
    }
}
