package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** Element-wise activations and softmax. */
public final class Activations {
    private Activations() {}

    /**
     * gate[i] = silu(gate[i]) * up[i] for i in 0..n-1: the SwiGLU of Llama-family MLPs; up is used
     * as scratch. Vectorised: a batch of 16 tokens has ~10^4 of them per layer, and a scalar
     * Math.exp each cost as much as the layer's matmuls.
     */
    public static void swiglu(float[] gate, float[] up, int n) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector.fromArray(F, gate, i)
                    .mul(FloatVector.fromArray(F, up, i))
                    .intoArray(up, i);
        }
        for (; i < n; i++) {
            up[i] *= gate[i];
        }
        exp(gate, 0, n, -1f, 0f);
        i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector.fromArray(F, up, i)
                    .div(FloatVector.fromArray(F, gate, i).add(1f))
                    .intoArray(gate, i);
        }
        for (; i < n; i++) {
            gate[i] = up[i] / (1f + gate[i]);
        }
    }

    private static final float LOG2E = 1.44269504f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUNDER =
            12582912f; // 1.5 * 2^23: adding it rounds to an integer in the low mantissa bits
    private static final int ROUNDER_BITS = Float.floatToRawIntBits(ROUNDER);

    /** In-place softmax of x[off .. off+n-1], max-subtracted for stability; exp is vectorised. */
    public static void softmax(float[] x, int off, int n) {
        int end = off + n;
        // Compare and blend rather than FloatVector.max, which is not intrinsified on every JDK/CPU
        // pair (its Java fallback allocates, and a warm decode step must not). Attention takes a
        // softmax per head over the whole context, and with a scalar max and clamp softmax was a
        // quarter of attention at 700 positions (timers per pass, 16 sequences).
        FloatVector maxV = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
        int i = off;
        for (; i + LANES <= end; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i);
            maxV = maxV.blend(v, v.compare(VectorOperators.GT, maxV));
        }
        float max = maxV.reduceLanes(VectorOperators.MAX);
        for (; i < end; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = exp(x, off, n, 1f, -max);
        float inv = 1f / sum;
        i = off;
        for (; i + LANES <= end; i += LANES) {
            FloatVector.fromArray(F, x, i).mul(inv).intoArray(x, i);
        }
        for (; i < end; i++) {
            x[i] *= inv;
        }
    }

    /**
     * x[i] = e^(sign * x[i] + shift) for i in [off, off + n), the exponent clamped to [-87, 87]
     * (beyond it the result is 0 or infinity to within float precision anyway); returns their sum.
     * Within ~2 ulp: v = k ln2 + r with |r| <= ln2/2, a degree-6 polynomial for e^r, and 2^k put
     * into the exponent bits. Arrays in, arrays out: a vector passed to a method the JIT did not
     * inline is boxed, and decode must not allocate (DecodeAllocationTest).
     */
    private static float exp(float[] x, int off, int n, float sign, float shift) {
        int end = off + n;
        FloatVector low = FloatVector.broadcast(F, -87f);
        FloatVector high = FloatVector.broadcast(F, 87f);
        FloatVector sumV = FloatVector.zero(F);
        FloatVector rounder = FloatVector.broadcast(F, ROUNDER);
        FloatVector ln2Hi = FloatVector.broadcast(F, -LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(F, -LN2_LO);
        int i = off;
        for (; i + LANES <= end; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, i).fma(sign, shift);
            // Clamped by compare and blend, for the reason softmax takes its max that way.
            v = v.blend(low, v.compare(VectorOperators.LT, low)).blend(high, v.compare(VectorOperators.GT, high));
            FloatVector t = v.fma(LOG2E, ROUNDER);
            FloatVector k = t.sub(rounder);
            FloatVector r = k.fma(ln2Lo, k.fma(ln2Hi, v));
            FloatVector p = r.mul(1f / 720).add(1f / 120);
            p = p.fma(r, FloatVector.broadcast(F, 1f / 24));
            p = p.fma(r, FloatVector.broadcast(F, 1f / 6));
            p = p.fma(r, FloatVector.broadcast(F, 0.5f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            p = p.fma(r, FloatVector.broadcast(F, 1f));
            IntVector exponent =
                    t.reinterpretAsInts().sub(ROUNDER_BITS).add(127).lanewise(VectorOperators.LSHL, 23);
            FloatVector e = p.mul(exponent.reinterpretAsFloats());
            e.intoArray(x, i);
            sumV = sumV.add(e);
        }
        float sum = Vectors.sum(sumV);
        for (; i < end; i++) {
            x[i] = (float) Math.exp(Math.min(87f, Math.max(-87f, sign * x[i] + shift)));
            sum += x[i];
        }
        return sum;
    }
}
