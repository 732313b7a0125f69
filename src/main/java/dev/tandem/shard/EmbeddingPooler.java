package dev.tandem.shard;

import dev.tandem.request.Pooling;

/**
 * Pools an embedding request's last hidden states as its prompt is computed, chunk after chunk:
 * the last prompt token's state, or the sum of every token's for the mean (in double, position
 * after position, so the vector does not depend on how the prompt was chunked or batched). The
 * vector is L2-normalized, as OpenAI's embeddings are.
 */
final class EmbeddingPooler {
    private final StepRunner runner;
    private final float[] row;

    EmbeddingPooler(StepRunner runner) {
        this.runner = runner;
        this.row = new float[runner.config().hiddenSize()];
    }

    /** After a forward step: batch tokens first.. (positions from startPosition on, count of them) join the pool. */
    void add(double[] pool, Pooling pooling, int promptLength, int first, int startPosition, int count) {
        for (int k = 0; k < count; k++) {
            boolean last = startPosition + k == promptLength - 1;
            if (pooling == Pooling.MEAN || last) {
                runner.finalHidden(first + k, row, 0);
                for (int i = 0; i < row.length; i++) {
                    pool[i] = pooling == Pooling.MEAN ? pool[i] + row[i] : row[i];
                }
            }
        }
    }

    float[] vector(double[] pool) {
        double norm = 0;
        for (double v : pool) {
            norm += v * v;
        }
        double scale = norm > 0 ? 1 / Math.sqrt(norm) : 0; // the mean's 1/n cancels in the normalization
        float[] out = new float[pool.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (pool[i] * scale);
        }
        return out;
    }
}
