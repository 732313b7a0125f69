package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Dot products of weight rows with activation rows: a tile of four rows by four tokens (each
 * activation vector serves four rows, each weight vector four tokens), four rows by one token
 * (decode: four independent accumulators for the FMA latency), and one row by up to four tokens
 * for the edges. Every dot product, in every one of them, is computed in one order (per
 * accumulator: the FMAs over the columns, then {@link Vectors#sum}, then the scalar tail), so a
 * token's result does not depend on which tile or batch it is in; for bf16 it is also the order
 * of the C kernels (bf16_rows.c) at the same width, bit for bit.
 */
final class RowDots {
    private RowDots() {}

    /** out[t] = w[row] . x[t] for t in 0..count-1 (count 1..4), x rows at xOff + t*xStride. */
    static void dot(WeightMatrix w, int row, float[] x, int xOff, int xStride, int count, float[] out) {
        switch (w.format()) {
            case BF16 -> bf16Multi(w.data(), w.rowOffset(row), x, xOff, xStride, count, w.cols(), out);
            case F32 -> f32Multi(w.data(), w.rowOffset(row), x, xOff, xStride, count, w.cols(), out);
            case F16 -> scalarMulti(w, row, x, xOff, xStride, count, out);
            case Q8, Q4 -> throw new IllegalArgumentException(w.format() + " rows go through QuantizedDots");
        }
    }

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
        FloatVector a00 = FloatVector.zero(F),
                a01 = a00,
                a02 = a00,
                a03 = a00,
                a10 = a00,
                a11 = a00,
                a12 = a00,
                a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        int block = 2 * LANES;
        int full = cols / block * block;
        for (int k = 0; k < full; k += block) {
            long o = 2L * k;
            IntVector p0 = IntVector.fromMemorySegment(Vectors.I, s, r0 + o, Vectors.LE);
            IntVector p1 = IntVector.fromMemorySegment(Vectors.I, s, r1 + o, Vectors.LE);
            IntVector p2 = IntVector.fromMemorySegment(Vectors.I, s, r2 + o, Vectors.LE);
            IntVector p3 = IntVector.fromMemorySegment(Vectors.I, s, r3 + o, Vectors.LE);
            FloatVector e0 = even(p0), e1 = even(p1), e2 = even(p2), e3 = even(p3);
            FloatVector xe = FloatVector.fromArray(F, x, x0 + k);
            a00 = e0.fma(xe, a00);
            a10 = e1.fma(xe, a10);
            a20 = e2.fma(xe, a20);
            a30 = e3.fma(xe, a30);
            xe = FloatVector.fromArray(F, x, x1 + k);
            a01 = e0.fma(xe, a01);
            a11 = e1.fma(xe, a11);
            a21 = e2.fma(xe, a21);
            a31 = e3.fma(xe, a31);
            xe = FloatVector.fromArray(F, x, x2 + k);
            a02 = e0.fma(xe, a02);
            a12 = e1.fma(xe, a12);
            a22 = e2.fma(xe, a22);
            a32 = e3.fma(xe, a32);
            xe = FloatVector.fromArray(F, x, x3 + k);
            a03 = e0.fma(xe, a03);
            a13 = e1.fma(xe, a13);
            a23 = e2.fma(xe, a23);
            a33 = e3.fma(xe, a33);
            FloatVector d0 = odd(p0), d1 = odd(p1), d2 = odd(p2), d3 = odd(p3);
            FloatVector xo = FloatVector.fromArray(F, x, x0 + k + LANES);
            a00 = d0.fma(xo, a00);
            a10 = d1.fma(xo, a10);
            a20 = d2.fma(xo, a20);
            a30 = d3.fma(xo, a30);
            xo = FloatVector.fromArray(F, x, x1 + k + LANES);
            a01 = d0.fma(xo, a01);
            a11 = d1.fma(xo, a11);
            a21 = d2.fma(xo, a21);
            a31 = d3.fma(xo, a31);
            xo = FloatVector.fromArray(F, x, x2 + k + LANES);
            a02 = d0.fma(xo, a02);
            a12 = d1.fma(xo, a12);
            a22 = d2.fma(xo, a22);
            a32 = d3.fma(xo, a32);
            xo = FloatVector.fromArray(F, x, x3 + k + LANES);
            a03 = d0.fma(xo, a03);
            a13 = d1.fma(xo, a13);
            a23 = d2.fma(xo, a23);
            a33 = d3.fma(xo, a33);
        }
        out[0] = Vectors.sum(a00);
        out[1] = Vectors.sum(a01);
        out[2] = Vectors.sum(a02);
        out[3] = Vectors.sum(a03);
        out[4] = Vectors.sum(a10);
        out[5] = Vectors.sum(a11);
        out[6] = Vectors.sum(a12);
        out[7] = Vectors.sum(a13);
        out[8] = Vectors.sum(a20);
        out[9] = Vectors.sum(a21);
        out[10] = Vectors.sum(a22);
        out[11] = Vectors.sum(a23);
        out[12] = Vectors.sum(a30);
        out[13] = Vectors.sum(a31);
        out[14] = Vectors.sum(a32);
        out[15] = Vectors.sum(a33);
        for (int k = full; k < cols; k++) {
            float w0 = Vectors.bf16(s, r0 + 2L * k), w1 = Vectors.bf16(s, r1 + 2L * k);
            float w2 = Vectors.bf16(s, r2 + 2L * k), w3 = Vectors.bf16(s, r3 + 2L * k);
            for (int t = 0; t < 4; t++) {
                float xk = x[xOff + t * xStride + k];
                out[t] += w0 * xk;
                out[4 + t] += w1 * xk;
                out[8 + t] += w2 * xk;
                out[12 + t] += w3 * xk;
            }
        }
    }

    /**
     * out[i] = w[row + i] . x for four rows and one token (decode): four independent accumulators
     * keep the FMA units busy, each with the one order of every other kernel here.
     */
    static void bf16Rows4(WeightMatrix w, int row, float[] x, int xOff, float[] out) {
        MemorySegment s = w.data();
        int cols = w.cols();
        long r0 = w.rowOffset(row), r1 = w.rowOffset(row + 1), r2 = w.rowOffset(row + 2), r3 = w.rowOffset(row + 3);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
        int block = 2 * LANES;
        int full = cols / block * block;
        for (int k = 0; k < full; k += block) {
            long o = 2L * k;
            IntVector p0 = IntVector.fromMemorySegment(Vectors.I, s, r0 + o, Vectors.LE);
            IntVector p1 = IntVector.fromMemorySegment(Vectors.I, s, r1 + o, Vectors.LE);
            IntVector p2 = IntVector.fromMemorySegment(Vectors.I, s, r2 + o, Vectors.LE);
            IntVector p3 = IntVector.fromMemorySegment(Vectors.I, s, r3 + o, Vectors.LE);
            FloatVector xe = FloatVector.fromArray(F, x, xOff + k);
            FloatVector xo = FloatVector.fromArray(F, x, xOff + k + LANES);
            a0 = odd(p0).fma(xo, even(p0).fma(xe, a0));
            a1 = odd(p1).fma(xo, even(p1).fma(xe, a1));
            a2 = odd(p2).fma(xo, even(p2).fma(xe, a2));
            a3 = odd(p3).fma(xo, even(p3).fma(xe, a3));
        }
        float s0 = Vectors.sum(a0), s1 = Vectors.sum(a1), s2 = Vectors.sum(a2), s3 = Vectors.sum(a3);
        for (int k = full; k < cols; k++) {
            float xk = x[xOff + k];
            s0 += Vectors.bf16(s, r0 + 2L * k) * xk;
            s1 += Vectors.bf16(s, r1 + 2L * k) * xk;
            s2 += Vectors.bf16(s, r2 + 2L * k) * xk;
            s3 += Vectors.bf16(s, r3 + 2L * k) * xk;
        }
        out[0] = s0;
        out[1] = s1;
        out[2] = s2;
        out[3] = s3;
    }

    private static void bf16Multi(
            MemorySegment w, long base, float[] x, int xOff, int xStride, int count, int cols, float[] out) {
        FloatVector a0 = FloatVector.zero(F),
                a1 = FloatVector.zero(F),
                a2 = FloatVector.zero(F),
                a3 = FloatVector.zero(F);
        int x1 = xOff + xStride, x2 = xOff + 2 * xStride, x3 = xOff + 3 * xStride;
        int block = 2 * LANES;
        int k = 0;
        for (; k + block <= cols; k += block) {
            IntVector p = IntVector.fromMemorySegment(Vectors.I, w, base + 2L * k, Vectors.LE);
            FloatVector e = even(p);
            FloatVector o = odd(p);
            a0 = o.fma(FloatVector.fromArray(F, x, xOff + k + LANES), e.fma(FloatVector.fromArray(F, x, xOff + k), a0));
            if (count > 1) {
                a1 = o.fma(FloatVector.fromArray(F, x, x1 + k + LANES), e.fma(FloatVector.fromArray(F, x, x1 + k), a1));
                if (count > 2) {
                    a2 = o.fma(
                            FloatVector.fromArray(F, x, x2 + k + LANES),
                            e.fma(FloatVector.fromArray(F, x, x2 + k), a2));
                    if (count > 3) {
                        a3 = o.fma(
                                FloatVector.fromArray(F, x, x3 + k + LANES),
                                e.fma(FloatVector.fromArray(F, x, x3 + k), a3));
                    }
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

    /**
     * Reorders rows of activations for the bf16 kernels; out must not alias x. bf16 rows are read
     * as 32-bit lanes, each holding two bf16 values: a shift gives the even element as f32 and a
     * mask the odd one, far cheaper than widening 16-bit lanes. So per block of 2*LANES values the
     * activations hold the even-indexed ones first, then the odd-indexed ones; a tail shorter than
     * a block keeps its order and is done in scalar code.
     */
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

    private static void f32Multi(
            MemorySegment w, long base, float[] x, int xOff, int xStride, int count, int cols, float[] out) {
        FloatVector a0 = FloatVector.zero(F),
                a1 = FloatVector.zero(F),
                a2 = FloatVector.zero(F),
                a3 = FloatVector.zero(F);
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
        out[0] = Vectors.sum(a0);
        if (count > 1) out[1] = Vectors.sum(a1);
        if (count > 2) out[2] = Vectors.sum(a2);
        if (count > 3) out[3] = Vectors.sum(a3);
    }
}
