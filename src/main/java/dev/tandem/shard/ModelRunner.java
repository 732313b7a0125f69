package dev.tandem.shard;

import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.kernels.TensorFormat;
import dev.tandem.kernels.ThreadTeam;
import dev.tandem.model.Checkpoint;
import dev.tandem.model.ForwardBatch;
import dev.tandem.model.ModelConfig;
import dev.tandem.model.Transformer;
import dev.tandem.shm.KvArena;

/**
 * Runs forward steps of one model over one paged KV arena: what a shard does with its device.
 * The single-sequence {@link #feed} splits a long input into chunks of at most maxBatchTokens.
 */
public final class ModelRunner implements StepRunner {
    private final Checkpoint checkpoint;
    private final ThreadTeam team;
    private final PagedKvLayout layout;
    private final KvArena arena;
    private final Transformer transformer;
    private final float[] logits;
    private final int[] tokens, positions, sequenceOfToken, logitTokens;
    private final int[][] oneTable = new int[1][];

    private final boolean ownsArena;

    public ModelRunner(Checkpoint checkpoint, RunnerSettings s) {
        this(checkpoint, s, null);
    }

    /**
     * With an external arena (a shard process attached to the server's segment), the runner uses it
     * and leaves it to its owner to close; otherwise it makes its own as the settings say.
     */
    public ModelRunner(Checkpoint checkpoint, RunnerSettings s, KvArena externalArena) {
        this.checkpoint = checkpoint;
        this.ownsArena = externalArena == null;
        ModelConfig c = checkpoint.config();
        this.layout = new PagedKvLayout(
                c.numLayers(), c.numKvHeads(), c.headDim(), s.blockSize(), s.numBlocks(), s.kvDtype());
        this.team = new ThreadTeam(s.threads());
        KvArena kv = null;
        try {
            kv = externalArena != null
                    ? externalArena
                    : s.sharedMemoryDir() == null
                            ? KvArena.anonymous(layout.totalBytes())
                            : KvArena.createShared(s.sharedMemoryDir(), s.kvSegmentName(), layout.totalBytes());
            if (kv.segment().byteSize() < layout.totalBytes()) {
                throw new IllegalArgumentException("KV arena of " + kv.segment().byteSize()
                        + " bytes is smaller than the layout's " + layout.totalBytes());
            }
            this.transformer = new Transformer(checkpoint, layout, team, s.maxBatchTokens(), s.maxLogitTokens());
        } catch (RuntimeException e) {
            // A checkpoint refused at load must not leave threads or a /dev/shm segment behind.
            if (kv != null && externalArena == null) {
                kv.close();
            }
            team.close();
            throw e;
        }
        this.arena = kv;
        this.logits = new float[s.maxLogitTokens() * c.vocabSize()];
        this.tokens = new int[s.maxBatchTokens()];
        this.positions = new int[s.maxBatchTokens()];
        this.sequenceOfToken = new int[s.maxBatchTokens()];
        this.logitTokens = new int[s.maxLogitTokens()];
    }

    @Override
    public ModelConfig config() {
        return checkpoint.config();
    }

    public int numBlocks() {
        return layout.numBlocks();
    }

    /** Blocks numBlocks-1, numBlocks-2, ...: a block table for single-sequence use (tests, generate, bench). */
    public int[] reversedBlockTable(int numTokens) {
        int n = (numTokens + layout.blockSize() - 1) / layout.blockSize();
        if (n > layout.numBlocks()) {
            throw new IllegalArgumentException(
                    numTokens + " tokens need " + n + " KV blocks; the arena has " + layout.numBlocks());
        }
        int[] table = new int[n];
        for (int i = 0; i < n; i++) {
            table[i] = layout.numBlocks() - 1 - i;
        }
        return table;
    }

    public int blockSize() {
        return layout.blockSize();
    }

    /** The KV arena the runner computes on (its signals included). */
    public KvArena kvArena() {
        return arena;
    }

    /** The KV arena's shared-memory file, or null when it is process-private. */
    public java.nio.file.Path kvSegment() {
        return arena.file();
    }

    public long weightBytesPerStep() {
        return transformer.weightBytesPerStep();
    }

    public long layerMacsPerToken() {
        return transformer.layerMacsPerToken();
    }

    public TensorFormat layerFormat() {
        return transformer.layerFormat();
    }

    public ThreadTeam threadTeam() {
        return team;
    }

    @Override
    public String describe() {
        return "backend cpu, " + team.size() + " threads";
    }

    @Override
    public void rest() {
        team.rest();
    }

    @Override
    public int maxLogitTokens() {
        return transformer.maxLogitTokens();
    }

    @Override
    public int maxBatchTokens() {
        return transformer.maxBatchTokens();
    }

    @Override
    public void finalHidden(int t, float[] out, int off) {
        transformer.finalHidden(t, out, off);
    }

    @Override
    public float[] forward(ForwardBatch batch) {
        transformer.forward(batch, arena.segment(), logits);
        return logits;
    }

    /**
     * Feeds input[from..to) of one sequence at positions from..to-1 (its blocks must already be in
     * blockTable). Returns the logits of the last token, or with allLogits of every token fed in the
     * last chunk; callers wanting all logits keep to-from within maxLogitTokens and maxBatchTokens.
     */
    public float[] feed(int[] blockTable, int[] input, int from, int to, boolean allLogits) {
        oneTable[0] = blockTable;
        for (int start = from; start < to; start += tokens.length) {
            int n = Math.min(tokens.length, to - start);
            for (int i = 0; i < n; i++) {
                tokens[i] = input[start + i];
                positions[i] = start + i;
                sequenceOfToken[i] = 0;
            }
            boolean last = start + n >= to;
            int numLogits = !last ? 0 : allLogits ? n : 1;
            for (int i = 0; i < numLogits; i++) {
                logitTokens[i] = allLogits ? i : n - 1;
            }
            forward(new ForwardBatch(n, tokens, positions, sequenceOfToken, oneTable, numLogits, logitTokens));
        }
        return logits;
    }

    @Override
    public void close() {
        team.close();
        if (ownsArena) {
            arena.close();
        }
    }
}
