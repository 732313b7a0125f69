package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;

/**
 * A row-major [rows, cols] weight matrix viewed in place (usually a slice of a memory-mapped
 * checkpoint). Rows are output features, as in Hugging Face's {@code nn.Linear}.
 */
public record WeightMatrix(MemorySegment data, TensorFormat format, int rows, int cols) {
    public WeightMatrix {
        long expected = (long) rows * cols * format.bytesPerElement();
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException(
                    "weight of shape [" + rows + ", " + cols + "] in " + format + " needs " + expected
                            + " bytes, got " + data.byteSize());
        }
    }

    public long rowOffset(int row) {
        return (long) row * cols * format.bytesPerElement();
    }

    /** Copies row {@code row} widened to f32 into out[off..]: an embedding lookup. */
    public void copyRow(int row, float[] out, int off) {
        long base = (long) row * cols;
        for (int i = 0; i < cols; i++) {
            out[off + i] = format.read(data, base + i);
        }
    }

    public long byteSize() {
        return data.byteSize();
    }
}
