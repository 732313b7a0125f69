package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Dot products of one Q8 or Q4 weight row with up to four activation rows, dequantizing in
 * registers: per group, sum q * x in float lanes, then scale the group's sum by its scale (a
 * vector FMA, no reduction per group). The zero point is taken out once per group through the
 * activations' group sums: sum (q - z) * s * x = s * (sum q * x - z * sum x), so the inner loop is
 * one byte-to-float conversion and one FMA per weight vector.
 */
final class QuantizedDots {
    /** One byte per float lane. */
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(LANES * 8));

    private QuantizedDots() {}

    /**
     * out[t] = w[row] . x[t] for t in 0..count-1 (count 1..4); x rows at xOff + t*xStride, and
     * their group sums at sumOff + t*sumStride in xSums.
     */
    static void dot(
            WeightMatrix w,
            int row,
            float[] x,
            int xOff,
            int xStride,
            int count,
            float[] xSums,
            int sumOff,
            int sumStride,
            float[] out) {
        MemorySegment d = w.data();
        Quantization q = w.quantization();
        int group = q.groupSize();
        int groups = w.cols() / group;
        long base = w.rowOffset(row);
        boolean q4 = w.format() == TensorFormat.Q4;
        FloatVector t0 = FloatVector.zero(F), t1 = t0, t2 = t0, t3 = t0;
        float c0 = 0, c1 = 0, c2 = 0, c3 = 0;
        for (int g = 0; g < groups; g++) {
            int k0 = g * group;
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            if (q4) {
                for (int blk = k0; blk < k0 + group; blk += TensorFormat.Q4_BLOCK) {
                    long bytes = base + blk / 2;
                    for (int j = 0; j < 16; j += LANES) {
                        ByteVector v = ByteVector.fromMemorySegment(B, d, bytes + j, Vectors.LE);
                        FloatVector lo = (FloatVector) v.and((byte) 0x0F).convertShape(VectorOperators.B2F, F, 0);
                        FloatVector hi = (FloatVector) v.lanewise(VectorOperators.LSHR, 4)
                                .and((byte) 0x0F)
                                .convertShape(VectorOperators.B2F, F, 0);
                        int lowX = blk + j, highX = blk + 16 + j;
                        a0 = hi.fma(
                                FloatVector.fromArray(F, x, xOff + highX),
                                lo.fma(FloatVector.fromArray(F, x, xOff + lowX), a0));
                        if (count > 1) {
                            int o = xOff + xStride;
                            a1 = hi.fma(
                                    FloatVector.fromArray(F, x, o + highX),
                                    lo.fma(FloatVector.fromArray(F, x, o + lowX), a1));
                            if (count > 2) {
                                o += xStride;
                                a2 = hi.fma(
                                        FloatVector.fromArray(F, x, o + highX),
                                        lo.fma(FloatVector.fromArray(F, x, o + lowX), a2));
                                if (count > 3) {
                                    o += xStride;
                                    a3 = hi.fma(
                                            FloatVector.fromArray(F, x, o + highX),
                                            lo.fma(FloatVector.fromArray(F, x, o + lowX), a3));
                                }
                            }
                        }
                    }
                }
            } else {
                for (int k = k0; k < k0 + group; k += LANES) {
                    FloatVector wv = (FloatVector) ByteVector.fromMemorySegment(B, d, base + k, Vectors.LE)
                            .convertShape(VectorOperators.B2F, F, 0);
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
            }
            float s = q.scale(row, g, groups);
            float sz = s * q.zero(w.format(), row, g, groups);
            FloatVector sv = FloatVector.broadcast(F, s);
            t0 = a0.fma(sv, t0);
            c0 += sz * xSums[sumOff + g];
            if (count > 1) {
                t1 = a1.fma(sv, t1);
                c1 += sz * xSums[sumOff + sumStride + g];
                if (count > 2) {
                    t2 = a2.fma(sv, t2);
                    c2 += sz * xSums[sumOff + 2 * sumStride + g];
                    if (count > 3) {
                        t3 = a3.fma(sv, t3);
                        c3 += sz * xSums[sumOff + 3 * sumStride + g];
                    }
                }
            }
        }
        out[0] = Vectors.sum(t0) - c0;
        if (count > 1) {
            out[1] = Vectors.sum(t1) - c1;
            if (count > 2) {
                out[2] = Vectors.sum(t2) - c2;
                if (count > 3) {
                    out[3] = Vectors.sum(t3) - c3;
                }
            }
        }
    }

    /** sums[t * groups + g] = sum of x[t, g * group .. (g + 1) * group). */
    static void groupSums(float[] x, int tokens, int cols, int group, float[] sums) {
        int groups = cols / group;
        for (int t = 0; t < tokens; t++) {
            for (int g = 0; g < groups; g++) {
                FloatVector a = FloatVector.zero(F);
                int k = t * cols + g * group;
                for (int e = k + group; k < e; k += LANES) {
                    a = a.add(FloatVector.fromArray(F, x, k));
                }
                sums[t * groups + g] = Vectors.sum(a);
            }
        }
    }
}
