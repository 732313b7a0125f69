package dev.tandem.bench;

import dev.tandem.kernels.PagedAttention;
import dev.tandem.kernels.PagedKvLayout;
import dev.tandem.kernels.ThreadTeam;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Paged attention of one prefill chunk, one layer, on Llama-3.2-1B's shape (32 query heads over 8
 * KV heads of 64 dimensions, 16-token blocks): the last {@code chunk} tokens of a
 * {@code context}-token prompt, in tiles of up to {@code tile} tokens (1: each token on its own,
 * as before tiles). Run with -Djmh.args="PrefillAttentionBenchmark".
 */
public class PrefillAttentionBenchmark extends KernelBenchmarkDefaults {
    private static final int HEADS = 32, KV_HEADS = 8, HEAD_DIM = 64, BLOCK = 16;

    @Param({"512", "2048"})
    int context;

    @Param({"256"})
    int chunk;

    @Param({"1", "8"})
    int tile;

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
        int blocks = (context + BLOCK - 1) / BLOCK;
        PagedKvLayout layout = new PagedKvLayout(1, KV_HEADS, HEAD_DIM, BLOCK, blocks);
        arena = Arena.ofShared();
        kv = arena.allocate(layout.totalBytes(), 64);
        Random random = new Random(7);
        for (long i = 0; i < kv.byteSize() / 4; i++) {
            kv.setAtIndex(java.lang.foreign.ValueLayout.JAVA_FLOAT, i, random.nextFloat() - 0.5f);
        }
        tables = new int[1][blocks];
        for (int b = 0; b < blocks; b++) {
            tables[0][b] = b;
        }
        positions = new int[chunk];
        sequenceOfToken = new int[chunk];
        for (int t = 0; t < chunk; t++) {
            positions[t] = context - chunk + t;
        }
        q = new float[chunk * HEADS * HEAD_DIM];
        for (int i = 0; i < q.length; i++) {
            q[i] = random.nextFloat() * 2 - 1;
        }
        out = new float[q.length];
        team = new ThreadTeam(2);
        attention = new PagedAttention(team, layout, HEADS, 131072, tile);
    }

    @Benchmark
    public float[] prefillChunk() {
        attention.attend(kv, 0, q, out, chunk, positions, sequenceOfToken, tables, 0);
        return out;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        team.close();
        arena.close();
    }
}
