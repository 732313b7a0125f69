package dev.tandem.shard;

/**
 * Sizes a model runner: KV blocks of blockSize tokens (numBlocks of them), at most maxBatchTokens
 * tokens per forward step, logits for at most maxLogitTokens of them, on {@code threads} threads.
 * With a sharedMemoryDir the KV arena is a segment there (named kvSegmentName), else private memory.
 */
public record RunnerSettings(
        int blockSize,
        int numBlocks,
        int maxBatchTokens,
        int maxLogitTokens,
        int threads,
        java.nio.file.Path sharedMemoryDir,
        String kvSegmentName) {
    public static final int DEFAULT_BLOCK_SIZE = 16;

    public RunnerSettings {
        if (blockSize < 1 || numBlocks < 1 || maxBatchTokens < 1 || maxLogitTokens < 1 || threads < 1) {
            throw new IllegalArgumentException("runner settings must all be positive: " + this);
        }
    }

    /** Process-private KV memory. */
    public RunnerSettings(int blockSize, int numBlocks, int maxBatchTokens, int maxLogitTokens, int threads) {
        this(blockSize, numBlocks, maxBatchTokens, maxLogitTokens, threads, null, null);
    }
}
