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
        this.scores = new float[team.size()][groupSize * maxContext];
        this.maxContext = maxContext;
    }

    /** Stores one token's K and V (all KV heads) at its position in the sequence's blocks. */
    public void write(MemorySegment kvArena, int layerIndex, int[] blockTable, int pos, float[] k, int kOff, float[] v, int vOff) {
        int block = blockTable[pos / layout.blockSize()];
        int slot = pos % layout.blockSize();
        for (int h = 0; h < layout.numKvHeads(); h++) {
            MemorySegment.copy(k, kOff + h * headDim, kvArena, ValueLayout.JAVA_FLOAT_UNALIGNED,
                    layout.offset(block, layerIndex, 0, h, slot), headDim);
            MemorySegment.copy(v, vOff + h * headDim, kvArena, ValueLayout.JAVA_FLOAT_UNALIGNED,
                    layout.offset(block, layerIndex, 1, h, slot), headDim);
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
     * which divides the KV reads by the group size (GQA/MQA).
     */
    private void chunk(int chunk, int worker) {
        int kvHeads = layout.numKvHeads();
        int t = chunk / kvHeads;
        int kvHead = chunk % kvHeads;
        int pos = positions[t];
        int start = slidingWindow > 0 ? Math.max(0, pos - slidingWindow + 1) : 0;
        int n = pos - start + 1;
        int[] table = blockTables[sequenceOfToken[t]];
        int qOff = (t * numHeads + kvHead * groupSize) * headDim;
        float[] s = scores[worker];
        int bs = layout.blockSize();
        long stride = (long) headDim * PagedKvLayout.BYTES_PER_VALUE;
        // K (and V) of one head are contiguous within a block: one offset computation per block.
        for (int b = start / bs, j = start; j <= pos; b++) {
            long k = layout.offset(table[b], layer, 0, kvHead, j % bs);
            for (int end = Math.min(pos, (b + 1) * bs - 1); j <= end; j++, k += stride) {
                for (int g = 0; g < groupSize; g++) {
                    s[g * maxContext + j - start] = dot(q, qOff + g * headDim, arena, k) * scale;
                }
            }
        }
        for (int g = 0; g < groupSize; g++) {
            Activations.softmax(s, g * maxContext, n);
        }
        java.util.Arrays.fill(out, qOff, qOff + groupSize * headDim, 0f);
        for (int b = start / bs, j = start; j <= pos; b++) {
            long v = layout.offset(table[b], layer, 1, kvHead, j % bs);
            for (int end = Math.min(pos, (b + 1) * bs - 1); j <= end; j++, v += stride) {
                for (int g = 0; g < groupSize; g++) {
                    accumulate(out, qOff + g * headDim, arena, v, s[g * maxContext + j - start]);
                }
            }
        }
    }

    private float dot(float[] a, int aOff, MemorySegment seg, long off) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + LANES <= headDim; i += LANES) {
            acc = FloatVector.fromArray(F, a, aOff + i).fma(Vectors.loadF32(seg, off + 4L * i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < headDim; i++) {
            sum += a[aOff + i] * seg.get(ValueLayout.JAVA_FLOAT_UNALIGNED, off + 4L * i);
        }
        return sum;
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
