package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Causal attention that reads K and V through each sequence's block table. The same kernel serves
 * prefill (many tokens of one sequence) and decode (one token of many sequences): every query
 * token carries its own position and block table, and attends to positions [start, pos] of its
 * sequence, where start honours an optional sliding window. Query heads share KV heads (GQA/MQA).
 *
 * Consecutive tokens of one sequence (a prefill chunk) go in tiles of up to {@link #MAX_TILE}:
 * each block of keys, then of values, is read once for the whole tile and serves its tokens from
 * L1, instead of once per token (at 2k positions prefill spent about half its time reading the KV
 * cache). A token's operations are the same in any tile, so it gets the same bits alone.
 */
public final class PagedAttention {
    /** Tokens per tile at most; fewer where their scores would outgrow the budget. */
    static final int MAX_TILE = 8;

    private static final int SCORE_BUDGET = 1 << 20;

    private final ThreadTeam team;
    private final PagedKvLayout layout;
    private final int numHeads;
    private final int headDim;
    private final int groupSize;
    private final float scale;
    private final boolean int8;
    private final float[][] scores;
    private final int maxContext;
    private final int maxHeadsPerChunk;
    private final int maxTile;
    private final ThreadTeam.Body body = this::chunk;

    private MemorySegment arena;
    private int layer;
    private float[] q;
    private float[] out;
    private int[] positions;
    private int[] sequenceOfToken;
    private int[][] blockTables;
    private int slidingWindow;
    /** Tile i is tokens [tileStarts[i], tileStarts[i + 1]). */
    private int[] tileStarts = new int[1];

    private int numTiles;
    private int headsPerChunk;
    private int chunksPerTile;
    /** Scores of one query head: its positions from its first block's start, as long as this call's longest. */
    private int headStride;

    public PagedAttention(ThreadTeam team, PagedKvLayout layout, int numHeads, int maxContext) {
        this(team, layout, numHeads, maxContext, MAX_TILE);
    }

    /** With tiles of at most maxTile tokens (1: none), for benchmarks that compare. */
    public PagedAttention(ThreadTeam team, PagedKvLayout layout, int numHeads, int maxContext, int maxTile) {
        this.maxTile = Math.clamp(maxTile, 1, MAX_TILE);
        this.team = team;
        this.layout = layout;
        this.numHeads = numHeads;
        this.headDim = layout.headDim();
        this.groupSize = numHeads / layout.numKvHeads();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        this.int8 = layout.dtype() == KvDtype.INT8;
        // Scores cover whole blocks (from the first block's start): room for one extra block.
        this.maxContext = maxContext + layout.blockSize();
        // Scores of several heads per chunk, within a budget: a 128K-position model would otherwise
        // hold tens of MB of scores per thread.
        this.maxHeadsPerChunk = Math.clamp(SCORE_BUDGET / ((long) groupSize * this.maxContext), 1, layout.numKvHeads());
        this.scores = new float[team.size()][maxHeadsPerChunk * groupSize * this.maxContext];
    }

    /**
     * out[t] = attention of query q[t] (numHeads * headDim floats) for tokens 0..numTokens-1.
     * slidingWindowOrZero limits each query to the last that-many positions (0 = unlimited).
     */
    public void attend(
            MemorySegment kvArena,
            int layerIndex,
            float[] queries,
            float[] output,
            int numTokens,
            int[] tokenPositions,
            int[] tokenSequence,
            int[][] tables,
            int slidingWindowOrZero) {
        arena = kvArena;
        layer = layerIndex;
        q = queries;
        out = output;
        positions = tokenPositions;
        sequenceOfToken = tokenSequence;
        blockTables = tables;
        slidingWindow = slidingWindowOrZero;
        int bs = layout.blockSize();
        int span = bs;
        for (int t = 0; t < numTokens; t++) { // whole blocks of scores, from the first block's start
            span = Math.max(span, (positions[t] / bs + 1 - firstBlock(t)) * bs);
        }
        headStride = span;
        int tile = Math.clamp(scores[0].length / ((long) groupSize * span), 1, maxTile);
        numTiles = tiles(numTokens, tile);
        if (numTiles < numTokens) {
            // Tiles: one KV head per chunk, so that a tile's scores stay within the budget.
            headsPerChunk = 1;
        } else {
            // Whole tokens per chunk when there are enough tokens to share out; else heads, so that a
            // single sequence's decode step still uses every thread.
            headsPerChunk = numTokens >= 2 * team.size() ? maxHeadsPerChunk : 1;
        }
        chunksPerTile = (layout.numKvHeads() + headsPerChunk - 1) / headsPerChunk;
        team.run(numTiles * chunksPerTile, body);
        q = null;
        out = null;
    }

    /** Splits the tokens into runs of one sequence of at most `tile`; returns how many. */
    private int tiles(int numTokens, int tile) {
        if (tileStarts.length < numTokens + 1) {
            tileStarts = new int[numTokens + 1];
        }
        int n = 0;
        for (int t = 0; t < numTokens; t++) {
            if (t == 0 || t - tileStarts[n - 1] == tile || sequenceOfToken[t] != sequenceOfToken[t - 1]) {
                tileStarts[n++] = t;
            }
        }
        tileStarts[n] = numTokens;
        return n;
    }

    /** Token t's first position: its sliding window's, or 0. */
    private int start(int t) {
        return slidingWindow > 0 ? Math.max(0, positions[t] - slidingWindow + 1) : 0;
    }

    private int firstBlock(int t) {
        return start(t) / layout.blockSize();
    }

    /** Whether token t attends to some position of its sequence's block b. */
    private boolean covers(int t, int b) {
        return b >= firstBlock(t) && b <= positions[t] / layout.blockSize();
    }

    /**
     * One tile and a range of its KV heads: every query head of a group reads each K and V vector
     * once, which divides the KV reads by the group size (GQA/MQA), and every token of the tile
     * reads a block while it is in L1. Blocks are the outer loop of both passes, so a block's keys
     * (then values) of all the range's heads are read as one contiguous run that the hardware
     * prefetcher streams. Scores are computed for whole blocks, indexed from the token's first
     * block's start; softmax and values use [start, pos] only. The last tiles, the longest
     * (causal), are handed out first.
     */
    private void chunk(int chunk, int worker) {
        int tile = numTiles - 1 - chunk / chunksPerTile;
        int firstHead = chunk % chunksPerTile * headsPerChunk;
        int endHead = Math.min(layout.numKvHeads(), firstHead + headsPerChunk);
        int t0 = tileStarts[tile], t1 = tileStarts[tile + 1];
        int bs = layout.blockSize();
        int[] table = blockTables[sequenceOfToken[t0]];
        float[] s = scores[worker];
        int headScores = groupSize * headStride;
        int tokenScores = (endHead - firstHead) * headScores;
        int fromBlock = Integer.MAX_VALUE, toBlock = 0;
        for (int t = t0; t < t1; t++) {
            fromBlock = Math.min(fromBlock, firstBlock(t));
            toBlock = Math.max(toBlock, positions[t] / bs);
        }
        for (int b = fromBlock; b <= toBlock; b++) {
            for (int t = t0; t < t1; t++) {
                if (covers(t, b)) {
                    blockScores(
                            t, b, table[b], firstHead, endHead, s, (t - t0) * tokenScores + (b - firstBlock(t)) * bs);
                }
            }
        }
        for (int t = t0; t < t1; t++) {
            int pos = positions[t];
            int start = start(t);
            int first = firstBlock(t) * bs;
            for (int h = 0; h < (endHead - firstHead) * groupSize; h++) {
                Activations.softmax(s, (t - t0) * tokenScores + h * headStride + start - first, pos - start + 1);
            }
        }
        for (int b = fromBlock; b <= toBlock; b++) {
            for (int t = t0; t < t1; t++) {
                if (covers(t, b)) {
                    blockValues(
                            t, b, table[b], firstHead, endHead, s, (t - t0) * tokenScores + (b - firstBlock(t)) * bs);
                }
            }
        }
    }

    /** Token t's scores of block b (physical `block`) for heads [firstHead, endHead), from s[o ..]. */
    private void blockScores(int t, int b, int block, int firstHead, int endHead, float[] s, int o) {
        for (int kvHead = firstHead; kvHead < endHead; kvHead++) {
            int qOff = (t * numHeads + kvHead * groupSize) * headDim;
            int oh = o + (kvHead - firstHead) * groupSize * headStride;
            if (int8) {
                for (int g = 0; g < groupSize; g++) {
                    Int8KvBlocks.scores(
                            arena, layout, layer, block, kvHead, q, qOff + g * headDim, scale, s, oh + g * headStride);
                }
                continue;
            }
            for (int g = 0; g < groupSize; g += 2) { // heads in pairs that share each K load
                boolean two = g + 1 < groupSize;
                F32KvBlocks.scores(
                        arena,
                        layout,
                        layer,
                        block,
                        kvHead,
                        q,
                        qOff + g * headDim,
                        two ? qOff + (g + 1) * headDim : -1,
                        scale,
                        s,
                        oh + g * headStride,
                        two ? headStride : 0);
            }
        }
    }

    /** Token t's output from block b's values (physical `block`), its scores at s[o ..]. */
    private void blockValues(int t, int b, int block, int firstHead, int endHead, float[] s, int o) {
        int bs = layout.blockSize();
        int pos = positions[t];
        int start = start(t);
        int from = Math.max(start, b * bs) - b * bs;
        int to = Math.min(pos, b * bs + bs - 1) - b * bs;
        boolean firstOfRange = b == firstBlock(t);
        for (int kvHead = firstHead; kvHead < endHead; kvHead++) {
            int qOff = (t * numHeads + kvHead * groupSize) * headDim;
            int sOff = o + (kvHead - firstHead) * groupSize * headStride;
            if (int8) {
                for (int g = 0; g < groupSize; g++) {
                    Int8KvBlocks.values(
                            arena,
                            layout,
                            layer,
                            block,
                            kvHead,
                            from,
                            to,
                            s,
                            sOff + g * headStride,
                            out,
                            qOff + g * headDim,
                            firstOfRange);
                }
                continue;
            }
            for (int g = 0; g < groupSize; g += 2) { // heads in pairs that share each V load
                F32KvBlocks.values(
                        arena,
                        layout,
                        layer,
                        block,
                        kvHead,
                        from,
                        to,
                        s,
                        sOff + g * headStride,
                        out,
                        qOff + g * headDim,
                        g + 1 < groupSize ? headStride : 0,
                        firstOfRange);
            }
        }
    }
}
