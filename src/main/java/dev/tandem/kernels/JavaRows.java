package dev.tandem.kernels;

/**
 * The Java row kernels of {@link Matmul}: out[t, r] for a range of rows and the tokens of a batch,
 * bf16 rows in 4x4 tiles, other formats a row at a time for up to four tokens. Static and
 * allocation-free; the matmul hands them its per-call state.
 */
final class JavaRows {
    private JavaRows() {}

    /** Rows [r, r + 4) for every token: 4x4 tiles, then the tokens left over (one: decode). */
    static void bf16FourRows(
            WeightMatrix w, float[] bias, float[] x, int numTokens, boolean accumulate, float[] out, int r, float[] d) {
        int cols = w.cols();
        int rows = w.rows();
        int t = 0;
        for (; t + 4 <= numTokens; t += 4) {
            RowDots.bf16Tile(w, r, x, t * cols, cols, d);
            for (int i = 0; i < 4; i++) {
                float b = bias == null ? 0f : bias[r + i];
                for (int j = 0; j < 4; j++) {
                    int o = (t + j) * rows + r + i;
                    out[o] = (accumulate ? out[o] : 0f) + d[i * 4 + j] + b;
                }
            }
        }
        if (t + 1 == numTokens) {
            RowDots.bf16Rows4(w, r, x, t * cols, d);
            for (int i = 0; i < 4; i++) {
                int o = t * rows + r + i;
                out[o] = (accumulate ? out[o] : 0f) + d[i] + (bias == null ? 0f : bias[r + i]);
            }
        } else if (t < numTokens) {
            rows(w, bias, x, null, numTokens, accumulate, out, r, r + 4, t, d);
        }
    }

    /** Rows [from, to) for tokens [firstToken, numTokens), one row at a time, up to four tokens at once. */
    static void rows(
            WeightMatrix w,
            float[] bias,
            float[] x,
            float[] groupSums,
            int numTokens,
            boolean accumulate,
            float[] out,
            int from,
            int to,
            int firstToken,
            float[] d) {
        int cols = w.cols();
        int rows = w.rows();
        for (int r = from; r < to; r++) {
            float b = bias == null ? 0f : bias[r];
            for (int t = firstToken; t < numTokens; t += 4) {
                int count = Math.min(4, numTokens - t);
                if (w.format().isQuantized()) {
                    int groups = w.quantization().groups(cols);
                    QuantizedDots.dot(w, r, x, t * cols, cols, count, groupSums, t * groups, groups, d);
                } else {
                    RowDots.dot(w, r, x, t * cols, cols, count, d);
                }
                for (int i = 0; i < count; i++) {
                    int o = (t + i) * rows + r;
                    out[o] = (accumulate ? out[o] : 0f) + d[i] + b;
                }
            }
        }
    }
}
