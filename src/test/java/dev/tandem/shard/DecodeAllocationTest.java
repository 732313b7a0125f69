package dev.tandem.shard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Checkpoint;
import dev.tandem.model.ForwardBatch;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Once warm, a decode step allocates nothing on the heap (the kernels reuse their buffers). */
class DecodeAllocationTest {
    @Test
    void warmDecodeStepsDoNotAllocate() throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Checkpoint ckpt = Checkpoint.open(Path.of("models/demo-llama-6m"));
             ModelRunner r = new ModelRunner(ckpt, new RunnerSettings(16, 64, 16, 1, 2))) {
            int[] table = r.reversedBlockTable(1000);
            int[] token = {42};
            int[] pos = {0};
            ForwardBatch batch = new ForwardBatch(1, token, pos, new int[1], new int[][] {table}, 1, new int[1]);
            // C2 compiles the kernels at its own pace (slower when other tests load the machine); a
            // structural allocation shows in every round, warm-up allocation only in the first ones.
            long perStep = Long.MAX_VALUE;
            int steps = 0;
            for (int round = 0; round < 20 && perStep >= 64; round++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 300; i++, steps++) {
                    pos[0] = steps % 900;
                    r.forward(batch);
                }
                perStep = round < 2 ? perStep : (mx.getCurrentThreadAllocatedBytes() - before) / 300;
            }
            assertTrue(perStep < 64, "a warm decode step allocated " + perStep + " bytes");
        }
    }
}
