package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import jdk.incubator.vector.FloatVector;

/** RMSNorm as Hugging Face computes it in f32: x / sqrt(mean(x^2) + eps) * weight. */
public final class RmsNorm {
    private RmsNorm() {}

    /** Normalises {@code count} consecutive vectors of length {@code size}, each in place or into out. */
    public static void apply(
            float[] x, int xOff, float[] out, int outOff, float[] weight, int size, int count, float eps) {
        for (int v = 0; v < count; v++) {
            int xo = xOff + v * size;
            int oo = outOff + v * size;
            FloatVector acc = FloatVector.zero(F);
            int i = 0;
            for (; i + LANES <= size; i += LANES) {
                FloatVector xv = FloatVector.fromArray(F, x, xo + i);
                acc = xv.fma(xv, acc);
            }
            float ss = Vectors.sum(acc);
            for (; i < size; i++) {
                ss += x[xo + i] * x[xo + i];
            }
            float scale = (float) (1.0 / Math.sqrt(ss / size + eps));
            i = 0;
            for (; i + LANES <= size; i += LANES) {
                FloatVector.fromArray(F, x, xo + i)
                        .mul(scale)
                        .mul(FloatVector.fromArray(F, weight, i))
                        .intoArray(out, oo + i);
            }
            for (; i < size; i++) {
                out[oo + i] = x[xo + i] * scale * weight[i];
            }
        }
    }
}
