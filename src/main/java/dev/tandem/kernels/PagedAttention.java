package dev.tandem.kernels;

import static dev.tandem.kernels.Vectors.F;
import static dev.tandem.kernels.Vectors.LANES;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

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

    public PagedAttention(ThreadTeam team, PagedKvLayout layout, int numHeads, int maxContext) {
        this.team = team;
        this.layout = layout;
        this.numHeads = numHeads;
        this.headDim = layout.headDim();
        this.groupSize = numHeads / layout.numKvHeads();
        this.scale = (float) (1.0 / Math.sqrt(headDim));
        // Scores cover whole blocks (from the first block's start): room for one extra block.
        this.maxContext = maxContext + layout.blockSize();
        this.scores = new float[team.size()][groupSize * this.maxContext];
    }

    /** Stores one token's K and V (all KV heads) at its position in the sequence's blocks. */
    public void write(MemorySegment kvArena, int layerIndex, int[] blockTable, int pos, float[] k, int kOff, float[] v, int vOff) {
        int block = blockTable[pos / layout.blockSize()];
        int slot = pos % layout.blockSize();
        long column = (long) layout.blockSize() * PagedKvLayout.BYTES_PER_VALUE;
        for (int h = 0; h < layout.numKvHeads(); h++) {
            long key = layout.keyOffset(block, layerIndex, h, 0, slot);
            for (int d = 0; d < headDim; d++) {
                kvArena.set(ValueLayout.JAVA_FLOAT_UNALIGNED, key + d * column, k[kOff + h * headDim + d]);
            }
            MemorySegment.copy(v, vOff + h * headDim, kvArena, ValueLayout.JAVA_FLOAT_UNALIGNED,
                    layout.valueOffset(block, layerIndex, h, slot), headDim);
        }
    }

    /**
     * out[t] = attention of query q[t] (numHeads * headDim floats) for tokens 0..numTokens-1.
     * slidingWindowOrZero limits each query to the last that-many positions (0 = unlimited).
     */
    public void attend(MemorySegment kvArena, int layerIndex, float[] queries, float[] output, int numTokens,
                       int[] tokenPositions, int[] tokenSequence, int[][] tables, int slidingWindowOrZero) {
        arena = kvArena;
        layer = layerIndex;
        q = queries;
        out = output;
        positions = tokenPositions;
        sequenceOfToken = tokenSequence;
        blockTables = tables;
        slidingWindow = slidingWindowOrZero;
        team.run(numTokens * layout.numKvHeads(), body);
        q = null;
        out = null;
    }

    /**
     * One token and one KV head: every query head of the group reads each K and V vector once,
     * which divides the KV reads by the group size (GQA/MQA). Scores are computed for whole
     * blocks, indexed from the first block's start; softmax and values use [start, pos] only.
     */
    private void chunk(int chunk, int worker) {
        int kvHeads = layout.numKvHeads();
        int t = chunk / kvHeads;
        int kvHead = chunk % kvHeads;
        int pos = positions[t];
        int start = slidingWindow > 0 ? Math.max(0, pos - slidingWindow + 1) : 0;
        int bs = layout.blockSize();
        int first = start / bs * bs;
        int[] table = blockTables[sequenceOfToken[t]];
        int qOff = (t * numHeads + kvHead * groupSize) * headDim;
        float[] s = scores[worker];
        for (int b = start / bs; b <= pos / bs; b++) {
            for (int g = 0; g < groupSize; g++) {
                blockScores(table[b], kvHead, qOff + g * headDim, s, g * maxContext + b * bs - first);
            }
        }
        for (int g = 0; g < groupSize; g++) {
            Activations.softmax(s, g * maxContext + start - first, pos - start + 1);
        }
        java.util.Arrays.fill(out, qOff, qOff + groupSize * headDim, 0f);
        long stride = (long) headDim * PagedKvLayout.BYTES_PER_VALUE;
        for (int b = start / bs, j = start; j <= pos; b++) {
            long v = layout.valueOffset(table[b], layer, kvHead, j % bs);
            for (int end = Math.min(pos, (b + 1) * bs - 1); j <= end; j++, v += stride) {
                for (int g = 0; g < groupSize; g++) {
                    accumulate(out, qOff + g * headDim, arena, v, s[g * maxContext + j - first]);
                }
            }
        }
    }

    /**
     * scale * (q . K[slot]) for every slot of one block into s[o ..]: K is dimension-major, so each
     * dimension adds q[d] times a vector of slots (no reduction per position).
     */
    private void blockScores(int block, int kvHead, int qOff, float[] s, int o) {
        int bs = layout.blockSize();
        long base = layout.headOffset(block, layer, 0, kvHead);
        long column = (long) bs * PagedKvLayout.BYTES_PER_VALUE;
        int slot = 0;
        for (; slot + LANES <= bs; slot += LANES) {
            FloatVector acc = FloatVector.zero(F);
            long k = base + 4L * slot;
            for (int d = 0; d < headDim; d++, k += column) {
                acc = Vectors.loadF32(arena, k).fma(FloatVector.broadcast(F, q[qOff + d]), acc);
            }
            acc.mul(scale).intoArray(s, o + slot);
        }
        for (; slot < bs; slot++) {
            float dot = 0f;
            for (int d = 0; d < headDim; d++) {
                dot += q[qOff + d] * arena.get(ValueLayout.JAVA_FLOAT_UNALIGNED, base + ((long) d * bs + slot) * 4);
            }
            s[o + slot] = dot * scale;
        }
    }


    private void accumulate(float[] o, int oOff, MemorySegment seg, long off, float weight) {
        FloatVector w = FloatVector.broadcast(F, weight);
        int i = 0;
        for (; i + LANES <= headDim; i += LANES) {
            Vectors.loadF32(seg, off + 4L * i).fma(w, FloatVector.fromArray(F, o, oOff + i)).intoArray(o, oOff + i);
        }
        for (; i < headDim; i++) {
            o[oOff + i] += weight * seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, off + 4L * i);
        }
    }
}
