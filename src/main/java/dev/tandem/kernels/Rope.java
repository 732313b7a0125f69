package dev.tandem.kernels;

/**
 * Rotary position embedding in Hugging Face's "rotate half" layout (dimension i pairs with
 * i + headDim/2). The cos/sin table is computed once for every position up to the context length.
 */
public final class Rope {
    private final int headDim;
    private final int half;
    private final float[] cos;
    private final float[] sin;

    /** @param inverseFrequencies headDim/2 frequencies, already adjusted for any rope scaling */
    public Rope(int headDim, double[] inverseFrequencies, int maxPositions, double attentionScaling) {
        this.headDim = headDim;
        this.half = headDim / 2;
        if (inverseFrequencies.length != half) {
            throw new IllegalArgumentException("need " + half + " rope frequencies, got " + inverseFrequencies.length);
        }
        cos = new float[maxPositions * half];
        sin = new float[maxPositions * half];
        for (int p = 0; p < maxPositions; p++) {
            for (int i = 0; i < half; i++) {
                // f32 product, as transformers forms it, so high positions round the same way.
                float angle = (float) p * (float) inverseFrequencies[i];
                cos[p * half + i] = (float) (Math.cos(angle) * attentionScaling);
                sin[p * half + i] = (float) (Math.sin(angle) * attentionScaling);
            }
        }
    }

    /** Rotates numHeads consecutive heads of one token at x[off..] for position pos. */
    public void apply(float[] x, int off, int numHeads, int pos) {
        int t = pos * half;
        for (int h = 0; h < numHeads; h++) {
            int base = off + h * headDim;
            for (int i = 0; i < half; i++) {
                float a = x[base + i];
                float b = x[base + i + half];
                float c = cos[t + i];
                float s = sin[t + i];
                x[base + i] = a * c - b * s;
                x[base + i + half] = b * c + a * s;
            }
        }
    }
}
