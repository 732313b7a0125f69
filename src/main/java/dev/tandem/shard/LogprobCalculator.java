package dev.tandem.shard;

/**
 * Log-probabilities of the model's raw distribution for one row of logits, captured before the
 * sampling processors change the row: the log-sum-exp, a copy of the row, and the top-k tokens.
 */
final class LogprobCalculator {
    private final float[] raw;
    private float logSumExp;
    private int[] topTokens = new int[0];
    private float[] topLogprobs = new float[0];

    LogprobCalculator(int vocab) {
        raw = new float[vocab];
    }

    void capture(float[] logits, int off, int numTop) {
        System.arraycopy(logits, off, raw, 0, raw.length);
        float max = Float.NEGATIVE_INFINITY;
        for (float v : raw) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : raw) {
            sum += Math.exp(v - max);
        }
        logSumExp = (float) (max + Math.log(sum));
        topTokens = new int[Math.min(numTop, raw.length)];
        topLogprobs = new float[topTokens.length];
        java.util.Arrays.fill(topTokens, -1);
        for (int id = 0; id < raw.length; id++) {
            for (int k = 0; k < topTokens.length; k++) {
                if (topTokens[k] < 0 || raw[id] > raw[topTokens[k]]) {
                    System.arraycopy(topTokens, k, topTokens, k + 1, topTokens.length - k - 1);
                    topTokens[k] = id;
                    break;
                }
            }
        }
        for (int k = 0; k < topTokens.length; k++) {
            topLogprobs[k] = raw[topTokens[k]] - logSumExp;
        }
    }

    SampledToken result(String requestId, int token) {
        return new SampledToken(requestId, token, raw[token] - logSumExp, topTokens, topLogprobs);
    }
}
