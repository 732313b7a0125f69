package dev.tandem.shard;

import dev.tandem.kernels.KvDtype;

/**
 * Sizes a model runner: KV blocks of blockSize tokens (numBlocks of them), at most maxBatchTokens
 * tokens per forward step, logits for at most maxLogitTokens of them, on {@code threads} threads.
 * With a sharedMemoryDir the KV arena is a segment there (named kvSegmentName), else private memory;
 * kvDtype is how it stores keys and values.
 */
public record RunnerSettings(
        int blockSize,
        int numBlocks,
        int maxBatchTokens,
        int maxLogitTokens,
        int threads,
        java.nio.file.Path sharedMemoryDir,
        String kvSegmentName,
        KvDtype kvDtype) {
    public static final int DEFAULT_BLOCK_SIZE = 16;

    public RunnerSettings {
        if (blockSize < 1 || numBlocks < 1 || maxBatchTokens < 1 || maxLogitTokens < 1 || threads < 1) {
            throw new IllegalArgumentException("runner settings must all be positive: " + this);
        }
    }

    /** Process-private KV memory. */
    public RunnerSettings(int blockSize, int numBlocks, int maxBatchTokens, int maxLogitTokens, int threads) {
        this(blockSize, numBlocks, maxBatchTokens, maxLogitTokens, threads, null, null, KvDtype.F32);
    }

    /** The same sizes with the KV cache stored as kvDtype. */
    public RunnerSettings withKvDtype(KvDtype dtype) {
        return new RunnerSettings(
                blockSize, numBlocks, maxBatchTokens, maxLogitTokens, threads, sharedMemoryDir, kvSegmentName, dtype);
    }
}
