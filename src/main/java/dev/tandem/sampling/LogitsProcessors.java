package dev.tandem.sampling;

import java.util.Map;

/**
 * The steps that reshape one sequence's logits before a token is drawn, each on logits[off ..
 * off+vocab) in place. Masked tokens get -infinity.
 */
public final class LogitsProcessors {
    private LogitsProcessors() {}

    public static void logitBias(float[] logits, int off, int vocab, Map<Integer, Float> bias) {
        for (Map.Entry<Integer, Float> e : bias.entrySet()) {
            int id = e.getKey();
            if (id >= 0 && id < vocab) {
                logits[off + id] += e.getValue();
            }
        }
    }

    /** Forbids the given tokens, e.g. EOS and stop tokens before min_tokens are generated. */
    public static void mask(float[] logits, int off, int vocab, Iterable<Integer> tokens) {
        for (int id : tokens) {
            if (id >= 0 && id < vocab) {
                logits[off + id] = Float.NEGATIVE_INFINITY;
            }
        }
    }

    /**
     * vLLM's penalties: repetition over prompt and output tokens (divide positive logits, multiply
     * negative ones), then frequency (per occurrence) and presence (once) over output tokens only.
     */
    public static void penalties(
            float[] logits, int off, TokenCounts counts, float presence, float frequency, float repetition) {
        int n = counts.numDistinct();
        for (int i = 0; i < n; i++) {
            int id = counts.distinctToken(i);
            float l = logits[off + id];
            if (repetition != 1f) {
                l = l > 0 ? l / repetition : l * repetition;
            }
            int out = counts.outputCount(id);
            if (out > 0) {
                l -= frequency * out + presence;
            }
            logits[off + id] = l;
        }
    }

    public static void temperature(float[] logits, int off, int vocab, float t) {
        float inv = 1f / t;
        for (int i = off; i < off + vocab; i++) {
            logits[i] *= inv;
        }
    }

    /** Softmax of logits into probs[0..vocab). */
    public static void softmax(float[] logits, int off, int vocab, float[] probs) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            float e = (float) Math.exp(logits[off + i] - max);
            probs[i] = e;
            sum += e;
        }
        float inv = (float) (1.0 / sum);
        for (int i = 0; i < vocab; i++) {
            probs[i] *= inv;
        }
    }

    /** Drops tokens whose probability is below minP times the top probability. */
    public static void minP(float[] probs, int vocab, float minP) {
        float max = 0f;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, probs[i]);
        }
        float threshold = minP * max;
        for (int i = 0; i < vocab; i++) {
            if (probs[i] < threshold) {
                probs[i] = 0f;
            }
        }
    }

    /**
     * Keeps the topK most probable tokens, then the smallest prefix of them (by probability) whose
     * mass reaches topP; the rest get probability 0. order[0..return) lists the kept ids, most
     * probable first. Uses the caller's scratch arrays (length >= vocab) so nothing is allocated.
     */
    public static int topKTopP(float[] probs, int vocab, int topK, float topP, long[] scratch, int[] order) {
        int n = 0;
        for (int i = 0; i < vocab; i++) {
            if (probs[i] > 0f) {
                // Descending by probability, then ascending by id, with one primitive sort.
                scratch[n++] = ((long) (Integer.MAX_VALUE - Float.floatToIntBits(probs[i])) << 32) | i;
            }
        }
        java.util.Arrays.sort(scratch, 0, n);
        int keep = topK > 0 ? Math.min(topK, n) : n;
        float total = 0f;
        for (int i = 0; i < keep; i++) {
            total += probs[(int) scratch[i]];
        }
        if (topP < 1f) {
            float cumulative = 0f;
            for (int i = 0; i < keep; i++) {
                cumulative += probs[(int) scratch[i]] / total;
                if (cumulative >= topP) {
                    keep = i + 1;
                    break;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            int id = (int) scratch[i];
            if (i < keep) {
                order[i] = id;
            } else {
                probs[id] = 0f;
            }
        }
        return keep;
    }
}
