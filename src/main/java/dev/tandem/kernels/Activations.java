package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise activations and softmax. */
public final class Activations {
    private Activations() {}

    /** gate[i] = silu(gate[i]) * up[i] for i in 0..n-1: the SwiGLU of Llama-family MLPs. */
    public static void swiglu(float[] gate, float[] up, int n) {
        for (int i = 0; i < n; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUNDER = 12582912f; // 1.5 * 2^23: adding it rounds to an integer in the low mantissa bits
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);

    /** In-place softmax of x[off .. off+n-1], max-subtracted for stability; exp is vectorised. */
    public static void softmax(float[] x, int off, int n) {
        int end = off + n;
        // A scalar max: FloatVector.max is not intrinsified on every JDK/CPU pair, and its Java
        // fallback allocates (a warm decode step must not).
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < end; i++) {
            max = Math.max(max, x[i]);
        }
        // Below e^-87 the exponent trick underflows; such weights are ~1e-38 of the largest anyway.
        float floor = max - 87f;
        for (int i = off; i < end; i++) {
            x[i] = Math.max(x[i], floor);
        }
        FloatVector sumV = FloatVector.zero(F);
        int i = off;
        FloatVector rounder = FloatVector.broadcast(F, ROUNDER);
        FloatVector ln2Hi = FloatVector.broadcast(F, -LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(F, -LN2_LO);
        for (; i + LANES <= end; i += LANES) {
            // e^v for v = x - max <= 0, within ~2 ulp: v = n ln2 + r with |r| <= ln2/2, a degree-6
            // polynomial for e^r, and 2^n put into the exponent bits. Written out in the loop (not
            // VectorOperators.EXP, not a helper method): a vector that crosses a call the JIT did not
            // inline is boxed, and decode must not allocate.
            FloatVector v = FloatVector.fromArray(F, x, i).sub(max);
            FloatVector t = v.fma(LOG2E, ROUNDER);
            FloatVector k = t.sub(rounder);
            FloatVector r = k.fma(ln2Lo, k.fma(ln2Hi, v));
            FloatVector p = r.mul(1f / 720).add(1f / 120);
            p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
            p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
            p = p.fma(r, FloatVector.broadcast(F, 0.5f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            IntVector exponent = t.reinterpretAsInts().sub(ROUNDER_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(exponent.reinterpretAsFloats());
            e.intoArray(x, i);
            sumV = sumV.add(e);
        }
        float sum = sumV.reduceLanes(VectorOperators.ADD);
        for (; i < end; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        float inv = 1f / sum;
        i = off;
        for (; i + LANES <= end; i += LANES) {
            FloatVector.fromArray(F, x, i).mul(inv).intoArray(x, i);
        }
        for (; i < end; i++) {
            x[i] *= inv;
        }
    }
}
