package dev.tandem.kernels;

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

    /** In-place softmax of x[off .. off+n-1], max-subtracted for stability. */
    public static void softmax(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) {
            max = Math.max(max, x[i]);
        }
        float sum = 0f;
        for (int i = off; i < off + n; i++) {
            float e = (float) Math.exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int i = off; i < off + n; i++) {
            x[i] *= inv;
        }
    }
}
