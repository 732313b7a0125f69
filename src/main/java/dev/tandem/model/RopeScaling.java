package dev.tandem.model;

/**
 * How rotary frequencies are adjusted for long context: none, linear (positions divided by a
 * factor), or Llama 3.1's frequency-band scheme.
 */
public record RopeScaling(
        String type, double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositions) {
    public static final RopeScaling NONE = new RopeScaling("default", 1, 1, 1, 0);

    /** headDim/2 inverse frequencies for base theta, computed in f32 as transformers does, then scaled. */
    public double[] inverseFrequencies(double theta, int headDim) {
        double[] inv = new double[headDim / 2];
        for (int i = 0; i < inv.length; i++) {
            float exponent = (float) (2 * i) / headDim;
            inv[i] = (float) (1.0 / (float) Math.pow(theta, exponent));
        }
        switch (type) {
            case "default" -> {}
            case "linear" -> {
                for (int i = 0; i < inv.length; i++) {
                    inv[i] = inv[i] / factor;
                }
            }
            case "llama3" -> llama3(inv);
            default -> throw new IllegalStateException("unreachable rope type " + type);
        }
        return inv;
    }

    private void llama3(double[] inv) {
        double lowFreqWavelen = originalMaxPositions / lowFreqFactor;
        double highFreqWavelen = originalMaxPositions / highFreqFactor;
        for (int i = 0; i < inv.length; i++) {
            double wavelen = 2 * Math.PI / inv[i];
            if (wavelen > lowFreqWavelen) {
                inv[i] = inv[i] / factor;
            } else if (wavelen >= highFreqWavelen) {
                double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
                inv[i] = (1 - smooth) * inv[i] / factor + smooth * inv[i];
            }
        }
    }
}
