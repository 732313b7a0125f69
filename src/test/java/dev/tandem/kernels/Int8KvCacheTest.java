package dev.tandem.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The int8 KV cache: about 3.8x the blocks of f32 in the same bytes, attention over it within
 * quantization error of f32 attention, and bitwise the same for a token alone or in a batch.
 */
class Int8KvCacheTest {
    static final int LAYERS = 2, KV_HEADS = 2, HEADS = 4, HEAD_DIM = 64, BLOCK = 16, BLOCKS = 12;

    @Test
    void int8BlocksTakeAQuarterOfTheBytesAndScales() {
        PagedKvLayout f32 = new PagedKvLayout(LAYERS, KV_HEADS, HEAD_DIM, BLOCK, 1);
        PagedKvLayout int8 = new PagedKvLayout(LAYERS, KV_HEADS, HEAD_DIM, BLOCK, 1, KvDtype.INT8);
        assertEquals((long) LAYERS * 2 * KV_HEADS * BLOCK * (HEAD_DIM + 4), int8.bytesPerBlock());
        double ratio = (double) f32.bytesPerBlock() / int8.bytesPerBlock();
        assertEquals(4.0 * 64 / 68, ratio, 1e-9, "blocks per byte, int8 over f32 at head size 64");
    }

    /** Writes random K/V for positions 0..n-1 of one sequence into the arena, layer by layer. */
    static void fill(PagedKvLayout layout, MemorySegment arena, int[] table, int n, long seed) {
        Random r = new Random(seed);
        float[] k = new float[KV_HEADS * HEAD_DIM], v = new float[KV_HEADS * HEAD_DIM];
        for (int layer = 0; layer < LAYERS; layer++) {
            for (int pos = 0; pos < n; pos++) {
                for (int i = 0; i < k.length; i++) {
                    k[i] = (float) r.nextGaussian();
                    v[i] = (float) r.nextGaussian();
                }
                layout.store(arena, layer, table, pos, k, 0, v, 0);
            }
        }
    }

    static float[] attend(
            PagedKvLayout layout, MemorySegment arena, int[][] tables, int[] positions, int[] seq, float[] q) {
        try (ThreadTeam team = new ThreadTeam(2)) {
            PagedAttention attention = new PagedAttention(team, layout, HEADS, BLOCKS * BLOCK);
            float[] out = new float[positions.length * HEADS * HEAD_DIM];
            attention.attend(arena, 1, q, out, positions.length, positions, seq, tables, 0);
            return out;
        }
    }

    @Test
    void attentionOverInt8KvIsCloseToF32AndTheSameAloneOrBatched() {
        PagedKvLayout f32 = new PagedKvLayout(LAYERS, KV_HEADS, HEAD_DIM, BLOCK, BLOCKS);
        PagedKvLayout int8 = new PagedKvLayout(LAYERS, KV_HEADS, HEAD_DIM, BLOCK, BLOCKS, KvDtype.INT8);
        int[] a = {0, 1, 2, 3, 4, 5}, b = {6, 7, 8, 9, 10, 11};
        int lenA = 83, lenB = 37; // neither a whole number of blocks
        float[] q = new float[2 * HEADS * HEAD_DIM];
        Random r = new Random(9);
        for (int i = 0; i < q.length; i++) {
            q[i] = (float) r.nextGaussian();
        }
        try (Arena mem = Arena.ofShared()) {
            MemorySegment f32Arena = mem.allocate(f32.totalBytes(), 64);
            MemorySegment int8Arena = mem.allocate(int8.totalBytes(), 64);
            for (PagedKvLayout layout : new PagedKvLayout[] {f32, int8}) {
                MemorySegment arena = layout == f32 ? f32Arena : int8Arena;
                fill(layout, arena, a, lenA, 1);
                fill(layout, arena, b, lenB, 2);
            }
            int[][] tables = {a, b};
            int[] positions = {lenA - 1, lenB - 1}, seq = {0, 1};
            float[] exact = attend(f32, f32Arena, tables, positions, seq, q);
            float[] quantized = attend(int8, int8Arena, tables, positions, seq, q);
            double err = 0, norm = 0;
            for (int i = 0; i < exact.length; i++) {
                err += (exact[i] - quantized[i]) * (exact[i] - quantized[i]);
                norm += exact[i] * exact[i];
            }
            assertTrue(Math.sqrt(err / norm) < 0.02, "relative error of int8 attention: " + Math.sqrt(err / norm));
            assertTrue(Math.sqrt(err / norm) > 0, "int8 is really quantized");

            float[] aloneB = attend(
                    int8,
                    int8Arena,
                    new int[][] {b},
                    new int[] {lenB - 1},
                    new int[] {0},
                    Arrays.copyOfRange(q, HEADS * HEAD_DIM, q.length));
            assertArrayEquals(
                    Arrays.copyOfRange(quantized, HEADS * HEAD_DIM, quantized.length),
                    aloneB,
                    "a token's attention alone and in a batch, bitwise");
        }
    }
}
