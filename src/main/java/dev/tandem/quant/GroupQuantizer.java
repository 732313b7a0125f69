package dev.tandem.quant;

import dev.tandem.kernels.TensorFormat;

/**
 * Quantizes a float weight matrix without calibration data, group by group of input columns.
 * Asymmetric: scale = (max - min) / (2^bits - 1), zero = round(-min / scale), q = round(w /
 * scale) + zero, clamped to the code range. Symmetric: scale = max|w| / (2^(bits-1) - 1), q =
 * round(w / scale). Either way weight = (q - zero) * scale. Q8 codes are stored signed (the
 * asymmetric zero point shifted by 128 to match), Q4 codes unsigned and packed as TensorFormat says.
 */
public final class GroupQuantizer {
    private GroupQuantizer() {}

    /** Stored codes, per-group scales, and per-group zero points (null for symmetric schemes). */
    public record Quantized(byte[] data, float[] scales, byte[] zeros) {}

    public static Quantized quantize(float[] w, int rows, int cols, QuantScheme s) {
        if (cols % s.groupSize() != 0) {
            throw new IllegalArgumentException(cols + " columns are not a multiple of the group size " + s.groupSize());
        }
        int groups = cols / s.groupSize();
        boolean q4 = s.bits() == 4;
        byte[] data = new byte[(int) (rows * s.format().rowBytes(cols))];
        float[] scales = new float[rows * groups];
        byte[] zeros = s.symmetric() ? null : new byte[rows * groups];
        int levels = (1 << s.bits()) - 1;
        int[] codes = new int[s.groupSize()];
        for (int r = 0; r < rows; r++) {
            for (int g = 0; g < groups; g++) {
                int off = r * cols + g * s.groupSize();
                float min = Float.POSITIVE_INFINITY, max = Float.NEGATIVE_INFINITY;
                for (int i = 0; i < s.groupSize(); i++) {
                    min = Math.min(min, w[off + i]);
                    max = Math.max(max, w[off + i]);
                }
                float scale;
                int zero;
                int lo, hi;
                if (s.symmetric()) {
                    int qmax = (1 << (s.bits() - 1)) - 1;
                    scale = Math.max(Math.abs(min), Math.abs(max)) / qmax;
                    zero = s.fixedZero();
                    lo = zero - qmax - 1;
                    hi = zero + qmax;
                } else {
                    scale = (max - min) / levels;
                    int unsignedZero = scale == 0 ? 0 : Math.clamp(Math.round(-min / scale), 0, levels);
                    zero = q4 ? unsignedZero : unsignedZero - 128;
                    lo = q4 ? 0 : -128;
                    hi = lo + levels;
                }
                if (scale == 0) {
                    scale = 1f; // an all-zero group: any scale, codes at the zero point
                }
                for (int i = 0; i < s.groupSize(); i++) {
                    codes[i] = Math.clamp(Math.round(w[off + i] / scale) + zero, lo, hi);
                }
                scales[r * groups + g] = scale;
                if (zeros != null) {
                    zeros[r * groups + g] = (byte) zero;
                }
                store(data, r, cols, g * s.groupSize(), codes, q4);
            }
        }
        return new Quantized(data, scales, zeros);
    }

    private static void store(byte[] data, int row, int cols, int col0, int[] codes, boolean q4) {
        if (!q4) {
            for (int i = 0; i < codes.length; i++) {
                data[row * cols + col0 + i] = (byte) codes[i];
            }
            return;
        }
        int rowBase = row * cols / 2;
        for (int b = 0; b < codes.length; b += TensorFormat.Q4_BLOCK) {
            int byteBase = rowBase + (col0 + b) / 2;
            for (int j = 0; j < 16; j++) {
                data[byteBase + j] = (byte) (codes[b + j] | codes[b + j + 16] << 4);
            }
        }
    }
}
