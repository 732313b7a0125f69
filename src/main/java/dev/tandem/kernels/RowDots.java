package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
            case Q8, Q4 -> throw new IllegalArgumentException(w.format() + " rows go through QuantizedDots");
        }
    }

    /**
     * bf16 rows are read as 32-bit lanes, each holding two bf16 values: a shift gives the even
     * element as f32 and a mask the odd one, far cheaper than widening 16-bit lanes. The
     * activations were permuted by {@link #permuteForBf16} to match: per block of 2*LANES values,
     * the even-indexed ones first, then the odd-indexed ones; a tail shorter than a block keeps
     * its order and is done in scalar code.
     */
    /**
     * A 4-row by 4-token tile of bf16 dot products: out[i * 4 + t] = w[row + i] . x[t]. Each
     * activation vector loaded serves four rows and each weight vector four tokens, so a batch
     * streams its activations once per four rows instead of once per row. cols must be a multiple
     * of 2 * LANES (callers fall back to {@link #dot} otherwise); x is permuted for bf16.
     */
    static void bf16Tile(WeightMatrix w, int row, float[] x, int xOff, int xStride, float[] out) {
        MemorySegment s = w.data();
        int cols = w.cols();
        long r0 = w.rowOffset(row), r1 = w.rowOffset(row + 1), r2 = w.rowOffset(row + 2), r3 = w.rowOffset(row + 3);
        int x0 = xOff, x1 = xOff + xStride, x2 = xOff + 2 * xStride, x3 = xOff + 3 * xStride;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int block = 2 * LANES;
        for (int k = 0; k < cols; k += block) {
            long o = 2L * k;
            IntVector p0 = IntVector.fromMemorySegment(Vectors.I, s, r0 + o, Vectors.LE);
            IntVector p1 = IntVector.fromMemorySegment(Vectors.I, s, r1 + o, Vectors.LE);
            IntVector p2 = IntVector.fromMemorySegment(Vectors.I, s, r2 + o, Vectors.LE);
            IntVector p3 = IntVector.fromMemorySegment(Vectors.I, s, r3 + o, Vectors.LE);
            FloatVector e0 = even(p0), e1 = even(p1), e2 = even(p2), e3 = even(p3);
            FloatVector xe = FloatVector.fromArray(F, x, x0 + k);
            a00 = e0.fma(xe, a00); a10 = e1.fma(xe, a10); a20 = e2.fma(xe, a20); a30 = e3.fma(xe, a30);
            xe = FloatVector.fromArray(F, x, x1 + k);
            a01 = e0.fma(xe, a01); a11 = e1.fma(xe, a11); a21 = e2.fma(xe, a21); a31 = e3.fma(xe, a31);
            xe = FloatVector.fromArray(F, x, x2 + k);
            a02 = e0.fma(xe, a02); a12 = e1.fma(xe, a12); a22 = e2.fma(xe, a22); a32 = e3.fma(xe, a32);
            xe = FloatVector.fromArray(F, x, x3 + k);
            a03 = e0.fma(xe, a03); a13 = e1.fma(xe, a13); a23 = e2.fma(xe, a23); a33 = e3.fma(xe, a33);
            FloatVector d0 = odd(p0), d1 = odd(p1), d2 = odd(p2), d3 = odd(p3);
            FloatVector xo = FloatVector.fromArray(F, x, x0 + k + LANES);
            a00 = d0.fma(xo, a00); a10 = d1.fma(xo, a10); a20 = d2.fma(xo, a20); a30 = d3.fma(xo, a30);
            xo = FloatVector.fromArray(F, x, x1 + k + LANES);
            a01 = d0.fma(xo, a01); a11 = d1.fma(xo, a11); a21 = d2.fma(xo, a21); a31 = d3.fma(xo, a31);
            xo = FloatVector.fromArray(F, x, x2 + k + LANES);
            a02 = d0.fma(xo, a02); a12 = d1.fma(xo, a12); a22 = d2.fma(xo, a22); a32 = d3.fma(xo, a32);
            xo = FloatVector.fromArray(F, x, x3 + k + LANES);
            a03 = d0.fma(xo, a03); a13 = d1.fma(xo, a13); a23 = d2.fma(xo, a23); a33 = d3.fma(xo, a33);
        }
        out[0] = a00.reduceLanes(VectorOperators.ADD);
        out[1] = a01.reduceLanes(VectorOperators.ADD);
        out[2] = a02.reduceLanes(VectorOperators.ADD);
        out[3] = a03.reduceLanes(VectorOperators.ADD);
        out[4] = a10.reduceLanes(VectorOperators.ADD);
        out[5] = a11.reduceLanes(VectorOperators.ADD);
        out[6] = a12.reduceLanes(VectorOperators.ADD);
        out[7] = a13.reduceLanes(VectorOperators.ADD);
        out[8] = a20.reduceLanes(VectorOperators.ADD);
        out[9] = a21.reduceLanes(VectorOperators.ADD);
        out[10] = a22.reduceLanes(VectorOperators.ADD);
        out[11] = a23.reduceLanes(VectorOperators.ADD);
        out[12] = a30.reduceLanes(VectorOperators.ADD);
        out[13] = a31.reduceLanes(VectorOperators.ADD);
        out[14] = a32.reduceLanes(VectorOperators.ADD);
        out[15] = a33.reduceLanes(VectorOperators.ADD);
    }

    static boolean tileable(WeightMatrix w) {
        return w.format() == TensorFormat.BF16 && w.cols() % (2 * LANES) == 0;
    }

    private static float bf16Single(MemorySegment w, long base, float[] x, int xOff, int cols) {
        FloatVector a0 = FloatVector.zero(F), a1 = FloatVector.zero(F), a2 = FloatVector.zero(F), a3 = FloatVector.zero(F);
        int block = 2 * LANES;
        int k = 0;
        for (; k + 4 * block <= cols; k += 4 * block) {
            // Four independent 64-byte loads in flight per iteration: one core needs that many to stream.
            IntVector p = IntVector.fromMemorySegment(Vectors.I, w, base + 2L * k, Vectors.LE);
            IntVector q = IntVector.fromMemorySegment(Vectors.I, w, base + 2L * (k + block), Vectors.LE);
            IntVector r = IntVector.fromMemorySegment(Vectors.I, w, base + 2L * (k + 2 * block), Vectors.LE);
            IntVector s = IntVector.fromMemorySegment(Vectors.I, w, base + 2L * (k + 3 * block), Vectors.LE);
            a0 = odd(p).fma(FloatVector.fromArray(F, x, xOff + k + LANES), even(p).fma(FloatVector.fromArray(F, x, xOff + k), a0));
            a1 = odd(q).fma(FloatVector.fromArray(F, x, xOff + k + block + LANES), even(q).fma(FloatVector.fromArray(F, x, xOff + k + block), a1));
            a2 = odd(r).fma(FloatVector.fromArray(F, x, xOff + k + 2 * block + LANES), even(r).fma(FloatVector.fromArray(F, x, xOff + k + 2 * block), a2));
            a3 = odd(s).fma(FloatVector.fromArray(F, x, xOff + k + 3 * block + LANES), even(s).fma(FloatVector.fromArray(F, x, xOff + k + 3 * block), a3));
        }
        for (; k + block <= cols; k += block) {
            IntVector p = IntVector.fromMemorySegment(Vectors.I, w, base + 2L * k, Vectors.LE);
            a0 = even(p).fma(FloatVector.fromArray(F, x, xOff + k), a0);
            a1 = odd(p).fma(FloatVector.fromArray(F, x, xOff + k + LANES), a1);
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
        int block = 2 * LANES;
        int k = 0;
        for (; k + block <= cols; k += block) {
            IntVector p = IntVector.fromMemorySegment(Vectors.I, w, base + 2L * k, Vectors.LE);
            FloatVector e = even(p);
            FloatVector o = odd(p);
            a0 = o.fma(FloatVector.fromArray(F, x, xOff + k + LANES), e.fma(FloatVector.fromArray(F, x, xOff + k), a0));
            a1 = o.fma(FloatVector.fromArray(F, x, x1 + k + LANES), e.fma(FloatVector.fromArray(F, x, x1 + k), a1));
            if (count > 2) {
                a2 = o.fma(FloatVector.fromArray(F, x, x2 + k + LANES), e.fma(FloatVector.fromArray(F, x, x2 + k), a2));
                if (count > 3) {
                    a3 = o.fma(FloatVector.fromArray(F, x, x3 + k + LANES), e.fma(FloatVector.fromArray(F, x, x3 + k), a3));
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

    private static FloatVector even(IntVector pairs) {
        return pairs.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }

    private static FloatVector odd(IntVector pairs) {
        return pairs.and(0xFFFF0000).reinterpretAsFloats();
    }

    /** Reorders rows of activations for the bf16 kernels (see {@link #bf16Single}); out must not alias x. */
    static void permuteForBf16(float[] x, float[] out, int rows, int cols) {
        int block = 2 * LANES;
        for (int r = 0; r < rows; r++) {
            int o = r * cols;
            int k = 0;
            for (; k + block <= cols; k += block) {
                for (int l = 0; l < LANES; l++) {
                    out[o + k + l] = x[o + k + 2 * l];
                    out[o + k + LANES + l] = x[o + k + 2 * l + 1];
                }
            }
            System.arraycopy(x, o + k, out, o + k, cols - k);
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
            float wk = w.format().read(w.data(), first + k);
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
