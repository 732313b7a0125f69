package dev.tandem.shard.openvino;

import dev.tandem.kernels.PagedKvLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Moves KV between the paged arena (the single source of truth that both shards share) and the
 * dense [rows, kv_heads, slots, head_dim] tensors of a stateless IR: gather a sequence's past
 * before an infer, scatter the new tokens' present entries back into its blocks after it. Keys are
 * dimension-major inside a block (see {@link PagedKvLayout}), so they are transposed on the way.
 * Counts the bytes it moves, the price of handing KV between devices through the arena.
 */
final class KvTransfer {
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private final PagedKvLayout layout;
    private final int heads, dim;
    private long bytesGathered, bytesScattered;

    KvTransfer(PagedKvLayout layout) {
        this.layout = layout;
        this.heads = layout.numKvHeads();
        this.dim = layout.headDim();
    }

    /** Positions [0, pastLen) of the sequence with this block table into row `row` of a [rows, heads, slots, dim] pair. */
    void gather(
            MemorySegment kv,
            int layer,
            int[] table,
            int pastLen,
            MemorySegment key,
            MemorySegment value,
            int row,
            int slots) {
        int bs = layout.blockSize();
        for (int h = 0; h < heads; h++) {
            long dense = ((long) row * heads + h) * slots * dim;
            for (int j = 0; j < pastLen; j++) {
                int block = table[j / bs], slot = j % bs;
                long at = (dense + (long) j * dim) * Float.BYTES;
                MemorySegment.copy(kv, layout.valueOffset(block, layer, h, slot), value, at, (long) dim * Float.BYTES);
                long k = layout.keyOffset(block, layer, h, 0, slot);
                long column = (long) bs * Float.BYTES;
                for (int d = 0; d < dim; d++) {
                    key.set(F, at + (long) d * Float.BYTES, kv.get(F, k + d * column));
                }
            }
        }
        bytesGathered += 2L * pastLen * heads * dim * Float.BYTES;
    }

    /** Slots [from, from + count) of row `row` of a [rows, heads, slots, dim] pair into positions start.. of the sequence. */
    void scatter(
            MemorySegment kv,
            int layer,
            int[] table,
            int start,
            int count,
            MemorySegment key,
            MemorySegment value,
            int row,
            int slots,
            int from) {
        int bs = layout.blockSize();
        for (int h = 0; h < heads; h++) {
            long dense = ((long) row * heads + h) * slots * dim;
            for (int i = 0; i < count; i++) {
                int p = start + i, block = table[p / bs], slot = p % bs;
                long at = (dense + (long) (from + i) * dim) * Float.BYTES;
                MemorySegment.copy(value, at, kv, layout.valueOffset(block, layer, h, slot), (long) dim * Float.BYTES);
                long k = layout.keyOffset(block, layer, h, 0, slot);
                long column = (long) bs * Float.BYTES;
                for (int d = 0; d < dim; d++) {
                    kv.set(F, k + d * column, key.get(F, at + (long) d * Float.BYTES));
                }
            }
        }
        bytesScattered += 2L * count * heads * dim * Float.BYTES;
    }

    long bytesGathered() {
        return bytesGathered;
    }

    long bytesScattered() {
        return bytesScattered;
    }
}
