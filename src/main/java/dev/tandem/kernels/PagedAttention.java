package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;

/**
 * Causal attention that reads K and V through each sequence's block table. The same kernel serves
 * prefill (many tokens of one sequence) and decode (one token of many sequences): every query
 * token carries its own position and block table, and attends to positions [start, pos] of its
 * sequence, where start honours an optional sliding window. Query heads share KV heads (GQA/MQA).
 */
public final class PagedAttention {
    private final ThreadTeam team;
    private final PagedKvLayout layout;
    private final int numHeads;
    private final int headDim;
    private final int groupSize;
    private final float scale;
    private final boolean int8;
    private final float[][] scores;
    private final int maxContext;
    private final ThreadTeam.Body body = this::chunk;

    private MemorySegment arena;
    private int layer;
    private float[] q;
    private float[] out;
    private int[] positions;
    private int[] sequenceOfToken;
    private int[][] blockTables;
    private int slidingWindow;
    private static final int SCORE_BUDGET = 1 << 20;
    private final int maxHeadsPerChunk;
    private int headsPerChunk;
    private int chunksPerToken;

    public PagedAttention(ThreadTeam team, PagedKvLayout layout, int numHeads, int maxContext) {
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
        // Whole tokens per chunk when there are enough tokens to share out; else heads, so that a
        // single sequence's decode step still uses every thread.
        headsPerChunk = numTokens >= 2 * team.size() ? maxHeadsPerChunk : 1;
        chunksPerToken = (layout.numKvHeads() + headsPerChunk - 1) / headsPerChunk;
        team.run(numTokens * chunksPerToken, body);
        q = null;
        out = null;
    }

    /**
     * One token and a range of its KV heads: every query head of a group reads each K and V vector
     * once, which divides the KV reads by the group size (GQA/MQA). Blocks are the outer loop of
     * both passes, so a block's keys (then values) of all the range's heads are read as one
     * contiguous run that the hardware prefetcher streams; head by head, in runs of one head's
     * 2 KiB, attention read the KV at half the bandwidth. Scores are computed for whole blocks,
     * indexed from the first block's start; softmax and values use [start, pos] only.
     */
    private void chunk(int chunk, int worker) {
        int t = chunk / chunksPerToken;
        int firstHead = chunk % chunksPerToken * headsPerChunk;
        int endHead = Math.min(layout.numKvHeads(), firstHead + headsPerChunk);
        int pos = positions[t];
        int start = slidingWindow > 0 ? Math.max(0, pos - slidingWindow + 1) : 0;
        int bs = layout.blockSize();
        int first = start / bs * bs;
        int[] table = blockTables[sequenceOfToken[t]];
        float[] s = scores[worker];
        int headScores = groupSize * maxContext;
        for (int b = start / bs; b <= pos / bs; b++) {
            for (int kvHead = firstHead; kvHead < endHead; kvHead++) {
                int qOff = (t * numHeads + kvHead * groupSize) * headDim;
                int o = (kvHead - firstHead) * headScores + b * bs - first;
                if (int8) {
                    for (int g = 0; g < groupSize; g++) {
                        int qg = qOff + g * headDim, og = o + g * maxContext;
                        Int8KvBlocks.scores(arena, layout, layer, table[b], kvHead, q, qg, scale, s, og);
                    }
                    continue;
                }
                int g = 0;
                for (; g + 1 < groupSize; g += 2) {
                    blockScores(
                            table[b],
                            kvHead,
                            qOff + g * headDim,
                            qOff + (g + 1) * headDim,
                            s,
                            o + g * maxContext,
                            maxContext);
                }
                if (g < groupSize) {
                    blockScores(table[b], kvHead, qOff + g * headDim, -1, s, o + g * maxContext, 0);
                }
            }
        }
        for (int kvHead = firstHead; kvHead < endHead; kvHead++) {
            for (int g = 0; g < groupSize; g++) {
                Activations.softmax(
                        s, (kvHead - firstHead) * headScores + g * maxContext + start - first, pos - start + 1);
            }
        }
        for (int b = start / bs; b <= pos / bs; b++) {
            int from = Math.max(start, b * bs) - b * bs;
            int to = Math.min(pos, b * bs + bs - 1) - b * bs;
            for (int kvHead = firstHead; kvHead < endHead; kvHead++) {
                int qOff = (t * numHeads + kvHead * groupSize) * headDim;
                int sOff = (kvHead - firstHead) * headScores + b * bs - first;
                boolean firstBlock = b == start / bs;
                if (int8) {
                    for (int g = 0; g < groupSize; g++) {
                        int sg = sOff + g * maxContext, og = qOff + g * headDim;
                        Int8KvBlocks.values(
                                arena, layout, layer, table[b], kvHead, from, to, s, sg, out, og, firstBlock);
                    }
                    continue;
                }
                int g = 0;
                for (; g + 1 < groupSize; g += 2) {
                    blockValues(
                            table[b],
                            kvHead,
                            from,
                            to,
                            s,
                            sOff + g * maxContext,
                            qOff + g * headDim,
                            maxContext,
                            firstBlock);
                }
                if (g < groupSize) {
                    blockValues(
                            table[b], kvHead, from, to, s, sOff + g * maxContext, qOff + g * headDim, 0, firstBlock);
                }
            }
        }
    }

    /**
     * scale * (q . K[slot]) for every slot of one block into s[o ..], for one query head, or for two
     * (qOff2 >= 0, scores at o + o2) that then share every K load. K is dimension-major, so each
     * dimension adds q[d] times a vector of slots (no reduction per position).
     */
    private void blockScores(int block, int kvHead, int qOff, int qOff2, float[] s, int o, int o2) {
        int bs = layout.blockSize();
        long base = layout.headOffset(block, layer, 0, kvHead);
        long column = (long) bs * 4;
        int slot = 0;
        for (; slot + LANES <= bs; slot += LANES) {
            FloatVector acc = FloatVector.zero(F), acc2 = acc;
            long k = base + 4L * slot;
            if (qOff2 >= 0) {
                // Four chains (two heads, alternate dimensions) for the FMA latency: one chain per
                // head would wait on its previous FMA at every dimension.
                FloatVector acc3 = acc, acc4 = acc;
                int d = 0;
                for (; d + 1 < headDim; d += 2, k += 2 * column) {
                    FloatVector key = Vectors.loadF32(arena, k);
                    FloatVector key2 = Vectors.loadF32(arena, k + column);
                    acc = key.fma(FloatVector.broadcast(F, q[qOff + d]), acc);
                    acc2 = key.fma(FloatVector.broadcast(F, q[qOff2 + d]), acc2);
                    acc3 = key2.fma(FloatVector.broadcast(F, q[qOff + d + 1]), acc3);
                    acc4 = key2.fma(FloatVector.broadcast(F, q[qOff2 + d + 1]), acc4);
                }
                if (d < headDim) {
                    FloatVector key = Vectors.loadF32(arena, k);
                    acc = key.fma(FloatVector.broadcast(F, q[qOff + d]), acc);
                    acc2 = key.fma(FloatVector.broadcast(F, q[qOff2 + d]), acc2);
                }
                acc = acc.add(acc3);
                acc2.add(acc4).mul(scale).intoArray(s, o + o2 + slot);
            } else {
                // Two chains over alternate dimensions for the FMA latency (head dims are even).
                for (int d = 0; d + 1 < headDim; d += 2, k += 2 * column) {
                    acc = Vectors.loadF32(arena, k).fma(FloatVector.broadcast(F, q[qOff + d]), acc);
                    acc2 = Vectors.loadF32(arena, k + column).fma(FloatVector.broadcast(F, q[qOff + d + 1]), acc2);
                }
                acc = acc.add(acc2);
                if (headDim % 2 == 1) {
                    acc = Vectors.loadF32(arena, k).fma(FloatVector.broadcast(F, q[qOff + headDim - 1]), acc);
                }
            }
            acc.mul(scale).intoArray(s, o + slot);
        }
        for (; slot < bs; slot++) {
            s[o + slot] = scalarScore(base, qOff, slot);
            if (qOff2 >= 0) {
                s[o + o2 + slot] = scalarScore(base, qOff2, slot);
            }
        }
    }

    private float scalarScore(long base, int qOff, int slot) {
        int bs = layout.blockSize();
        float dot = 0f;
        for (int d = 0; d < headDim; d++) {
            dot += q[qOff + d] * arena.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + ((long) d * bs + slot) * 4);
        }
        return dot * scale;
    }

    /**
     * out[o ..] (+)= sum over slots j in [from, to] of one block of s[sOff + j] * V[j], for one query
     * head, or for two (sNext > 0: the second head's scores at sOff + sNext, its output at
     * o + headDim) that share every V load; the first block of the range stores, later ones add.
     * Two chains per head over alternate slots, for the FMA latency.
     */
    private void blockValues(
            int block, int kvHead, int from, int to, float[] s, int sOff, int o, int sNext, boolean first) {
        long stride = (long) headDim * 4;
        long base = layout.valueOffset(block, layer, kvHead, from);
        boolean two = sNext > 0;
        int s2 = sOff + sNext;
        int i = 0;
        for (; i + LANES <= headDim; i += LANES) {
            FloatVector acc0 = first ? FloatVector.zero(F) : FloatVector.fromArray(F, out, o + i);
            FloatVector acc2 =
                    two ? (first ? FloatVector.zero(F) : FloatVector.fromArray(F, out, o + headDim + i)) : acc0;
            FloatVector acc1 = FloatVector.zero(F), acc3 = acc1;
            long v = base + 4L * i;
            int j = from;
            for (; j + 1 <= to; j += 2, v += 2 * stride) {
                FloatVector v0 = Vectors.loadF32(arena, v);
                FloatVector v1 = Vectors.loadF32(arena, v + stride);
                acc0 = v0.fma(FloatVector.broadcast(F, s[sOff + j]), acc0);
                acc1 = v1.fma(FloatVector.broadcast(F, s[sOff + j + 1]), acc1);
                if (two) {
                    acc2 = v0.fma(FloatVector.broadcast(F, s[s2 + j]), acc2);
                    acc3 = v1.fma(FloatVector.broadcast(F, s[s2 + j + 1]), acc3);
                }
            }
            if (j == to) {
                FloatVector v0 = Vectors.loadF32(arena, v);
                acc0 = v0.fma(FloatVector.broadcast(F, s[sOff + j]), acc0);
                if (two) {
                    acc2 = v0.fma(FloatVector.broadcast(F, s[s2 + j]), acc2);
                }
            }
            acc0.add(acc1).intoArray(out, o + i);
            if (two) {
                acc2.add(acc3).intoArray(out, o + headDim + i);
            }
        }
        for (; i < headDim; i++) {
            for (int h = 0; h < (two ? 2 : 1); h++) {
                float sum = first ? 0f : out[o + h * headDim + i];
                for (int j = from; j <= to; j++) {
                    sum += s[sOff + h * sNext + j]
                            * arena.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + (j - from) * stride + 4L * i);
                }
                out[o + h * headDim + i] = sum;
            }
        }
    }
}
