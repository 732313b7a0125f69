package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Dot products of one weight row with up to four activation rows at once, so that each weight
 * vector loaded from memory is used four times during prefill. Decode (one activation row) takes
 * the single-row path with four accumulators for instruction-level parallelism.
 */
final class RowDots {
    private RowDots() {}

    /** out[t] = w[row] . x[t] for t in 0..count-1 (count 1..4), x rows at xOff + t*xStride. */
    static void dot(WeightMatrix w, int row, float[] x, int xOff, int xStride, int count, float[] out) {
        switch (w.format()) {
            case BF16 -> {
                if (count == 1) {
                    out[0] = bf16Single(w.data(), w.rowOffset(row), x, xOff, w.cols());
                } else {
                    bf16Multi(w.data(), w.rowOffset(row), x, xOff, xStride, count, w.cols(), out);
                }
            }
            case F32 -> f32Multi(w.data(), w.rowOffset(row), x, xOff, xStride, count, w.cols(), out);
            case F16 -> scalarMulti(w, row, x, xOff, xStride, count, out);
        }
    }

    private static float bf16Single(MemorySegment w, long base, float[] x, int xOff, int cols) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int k = 0;
        int step = 4 * LANES;
        for (; k + step <= cols; k += step) {
            long o = base + 2L * k;
            a0 = Vectors.loadBf16(w, o).fma(FloatVector.fromArray(F, x, xOff + k), a0);
            a1 = Vectors.loadBf16(w, o + 2L * LANES).fma(FloatVector.fromArray(F, x, xOff + k + LANES), a1);
            a2 = Vectors.loadBf16(w, o + 4L * LANES).fma(FloatVector.fromArray(F, x, xOff + k + 2 * LANES), a2);
            a3 = Vectors.loadBf16(w, o + 6L * LANES).fma(FloatVector.fromArray(F, x, xOff + k + 3 * LANES), a3);
        }
        for (; k + LANES <= cols; k += LANES) {
            a0 = Vectors.loadBf16(w, base + 2L * k).fma(FloatVector.fromArray(F, x, xOff + k), a0);
        }
        float sum = a0.add(a1).add(a2.add(a3)).reduceLanes(VectorOperators.ADD);
        for (; k < cols; k++) {
            sum += Vectors.bf16(w, base + 2L * k) * x[xOff + k];
        }
        return sum;
    }

    private static void bf16Multi(MemorySegment w, long base, float[] x, int xOff, int xStride, int count, int cols, float[] out) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int x1 = xOff + xStride, x2 = xOff + 2 * xStride, x3 = xOff + 3 * xStride;
        int k = 0;
        for (; k + LANES <= cols; k += LANES) {
            FloatVector wv = Vectors.loadBf16(w, base + 2L * k);
            a0 = wv.fma(FloatVector.fromArray(F, x, xOff + k), a0);
            a1 = wv.fma(FloatVector.fromArray(F, x, x1 + k), a1);
            if (count > 2) {
                a2 = wv.fma(FloatVector.fromArray(F, x, x2 + k), a2);
                if (count > 3) {
                    a3 = wv.fma(FloatVector.fromArray(F, x, x3 + k), a3);
                }
            }
        }
        finish(out, count, a0, a1, a2, a3);
        for (; k < cols; k++) {
            float wk = Vectors.bf16(w, base + 2L * k);
            for (int t = 0; t < count; t++) {
                out[t] += wk * x[xOff + t * xStride + k];
            }
        }
    }

    private static void f32Multi(MemorySegment w, long base, float[] x, int xOff, int xStride, int count, int cols, float[] out) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int k = 0;
        for (; k + LANES <= cols; k += LANES) {
            FloatVector wv = Vectors.loadF32(w, base + 4L * k);
            a0 = wv.fma(FloatVector.fromArray(F, x, xOff + k), a0);
            if (count > 1) {
                a1 = wv.fma(FloatVector.fromArray(F, x, xOff + xStride + k), a1);
                if (count > 2) {
                    a2 = wv.fma(FloatVector.fromArray(F, x, xOff + 2 * xStride + k), a2);
                    if (count > 3) {
                        a3 = wv.fma(FloatVector.fromArray(F, x, xOff + 3 * xStride + k), a3);
                    }
                }
            }
        }
        finish(out, count, a0, a1, a2, a3);
        for (; k < cols; k++) {
            float wk = w.get(java.lang.foreign.ValueLayout.JAVA_FLOAT_UNALIGNED, base + 4L * k);
            for (int t = 0; t < count; t++) {
                out[t] += wk * x[xOff + t * xStride + k];
            }
        }
    }

    /** f16 is rare in published checkpoints; a scalar path keeps it correct without a vector widening op. */
    private static void scalarMulti(WeightMatrix w, int row, float[] x, int xOff, int xStride, int count, float[] out) {
        long first = (long) row * w.cols();
        for (int t = 0; t < count; t++) {
            out[t] = 0f;
        }
        for (int k = 0; k < w.cols(); k++) {
            float wk = Vectors.element(w.data(), w.format(), first + k);
            for (int t = 0; t < count; t++) {
                out[t] += wk * x[xOff + t * xStride + k];
            }
        }
    }

    private static void finish(float[] out, int count, FloatVector a0, FloatVector a1, FloatVector a2, FloatVector a3) {
        out[0] = a0.reduceLanes(VectorOperators.ADD);
        if (count > 1) out[1] = a1.reduceLanes(VectorOperators.ADD);
        if (count > 2) out[2] = a2.reduceLanes(VectorOperators.ADD);
        if (count > 3) out[3] = a3.reduceLanes(VectorOperators.ADD);
    }
}
