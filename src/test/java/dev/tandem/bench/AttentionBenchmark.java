package dev.tandem.bench;

import dev.tandem.kernels.PagedAttention;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.kernels.ThreadTeam;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Paged attention of one decode step, all layers, on the demo model's shape (8 query heads over 4
 * KV heads of 32 dimensions, 6 layers, 16-token blocks): {@code sequences} sequences of
 * {@code context} positions each, their blocks scattered over the pool as a busy server leaves
 * them. With 16 sequences of 700 positions the step reads 67 MB of f32 KV, more than the caches
 * of a small part hold: compare the printed time with bytes / read bandwidth
 * ({@code tandem bench decode}). Run with -Djmh.args="AttentionBenchmark".
 */
public class AttentionBenchmark extends KernelBenchmarkDefaults {
    private static final int LAYERS = 6, HEADS = 8, KV_HEADS = 4, HEAD_DIM = 32, BLOCK = 16;

    @Param({"1", "16"})
    int sequences;

    @Param({"160", "700"})
    int context;

    @Param({"2"})
    int threads;

    private Arena arena;
    private ThreadTeam team;
    private PagedAttention attention;
    private MemorySegment kv;
    private float[] q;
    private float[] out;
    private int[] positions;
    private int[] sequenceOfToken;
    private int[][] tables;

    @Setup(Level.Trial)
    public void setUp() {
        int blocksPerSequence = (context + BLOCK - 1) / BLOCK;
        int numBlocks = 2 * sequences * blocksPerSequence;
        PagedKvLayout layout = new PagedKvLayout(LAYERS, KV_HEADS, HEAD_DIM, BLOCK, numBlocks);
        arena = Arena.ofShared();
        kv = arena.allocate(layout.totalBytes(), 64);
        Random random = new Random(7);
        for (long i = 0; i < kv.byteSize() / 4; i += 16) {
            kv.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, random.nextFloat());
        }
        List<Integer> free = new ArrayList<>();
        for (int b = 0; b < numBlocks; b++) {
            free.add(b);
        }
        Collections.shuffle(free, random);
        tables = new int[sequences][blocksPerSequence];
        positions = new int[sequences];
        sequenceOfToken = new int[sequences];
        for (int s = 0; s < sequences; s++) {
            for (int b = 0; b < blocksPerSequence; b++) {
                tables[s][b] = free.get(s * blocksPerSequence + b);
            }
            positions[s] = context - 1;
            sequenceOfToken[s] = s;
        }
        q = new float[sequences * HEADS * HEAD_DIM];
        for (int i = 0; i < q.length; i++) {
            q[i] = random.nextFloat() * 2 - 1;
        }
        out = new float[q.length];
        team = new ThreadTeam(threads);
        attention = new PagedAttention(team, layout, HEADS, context);
    }

    @Benchmark
    public float[] decodeStep() {
        for (int layer = 0; layer < LAYERS; layer++) {
            attention.attend(kv, layer, q, out, sequences, positions, sequenceOfToken, tables, 0);
        }
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        team.close();
        arena.close();
    }
}
