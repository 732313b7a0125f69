package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;

/**
 * A row-major [rows, cols] weight matrix viewed in place (usually a slice of a memory-mapped
 * checkpoint). Rows are output features, as in Hugging Face's {@code nn.Linear}. Quantized
 * formats (Q8, Q4) carry their scales and zero points.
 */
public record WeightMatrix(MemorySegment data, TensorFormat format, int rows, int cols, Quantization quantization) {
    public WeightMatrix {
        long expected = rows * format.rowBytes(cols);
        if (data.byteSize() != expected) {
            throw new IllegalArgumentException("weight of shape [" + rows + ", " + cols + "] in " + format + " needs "
                    + expected + " bytes, got " + data.byteSize());
        }
        if (format.isQuantized() != (quantization != null)) {
            throw new IllegalArgumentException(
                    format + " weights " + (quantization == null ? "need" : "take no") + " scales");
        }
        if (quantization != null) {
            int g = quantization.groupSize();
            if (g % TensorFormat.Q4_BLOCK != 0 || cols % g != 0) {
                throw new IllegalArgumentException("group size " + g + " must be a multiple of " + TensorFormat.Q4_BLOCK
                        + " that divides the " + cols + " columns");
            }
            if (quantization.scales().byteSize() != (long) rows * quantization.groups(cols) * 4) {
                throw new IllegalArgumentException("scales of a [" + rows + ", " + cols + "] weight in groups of " + g
                        + " need " + (long) rows * quantization.groups(cols) * 4 + " bytes, got "
                        + quantization.scales().byteSize());
            }
        }
    }

    public WeightMatrix(MemorySegment data, TensorFormat format, int rows, int cols) {
        this(data, format, rows, cols, null);
    }

    public long rowOffset(int row) {
        return row * format.rowBytes(cols);
    }

    /** Copies row {@code row} widened (or dequantized) to f32 into out[off..]: an embedding lookup. */
    public void copyRow(int row, float[] out, int off) {
        if (format.isQuantized()) {
            long base = rowOffset(row);
            int groups = quantization.groups(cols);
            for (int i = 0; i < cols; i++) {
                int g = i / quantization.groupSize();
                out[off + i] = (format.quantized(data, base, i) - quantization.zero(format, row, g, groups))
                        * quantization.scale(row, g, groups);
            }
            return;
        }
        long base = (long) row * cols;
        for (int i = 0; i < cols; i++) {
            out[off + i] = format.read(data, base + i);
        }
    }

    /** Bytes read per pass over the matrix, scales and zero points included. */
    public long byteSize() {
        return data.byteSize()
                + (quantization == null
                        ? 0
                        : quantization.scales().byteSize()
                                + (quantization.zeros() == null
                                        ? 0
                                        : quantization.zeros().byteSize()));
    }
}
