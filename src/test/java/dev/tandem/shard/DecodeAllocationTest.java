package dev.tandem.shard;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tandem.model.Checkpoint;
import dev.tandem.model.ForwardBatch;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Once warm, a decode step allocates nothing on the heap (the kernels reuse their buffers): for one
 * sequence (the Java matrix-vector kernels) and for 16 (batched; the C bf16 kernel where built).
 */
class DecodeAllocationTest {
    @ParameterizedTest
    @ValueSource(ints = {1, 16})
    void warmDecodeStepsDoNotAllocate(int sequences) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        try (Checkpoint ckpt = Checkpoint.open(Path.of("models/demo-llama-6m"));
                ModelRunner r = new ModelRunner(ckpt, new RunnerSettings(16, 64, 16, 16, 2))) {
            // Sequence s owns blocks [s * perSequence, (s + 1) * perSequence), in reverse.
            int perSequence = 64 / sequences;
            int[][] tables = new int[sequences][perSequence];
            int[] tokens = new int[sequences];
            int[] positions = new int[sequences];
            int[] sequenceOfToken = new int[sequences];
            for (int s = 0; s < sequences; s++) {
                for (int b = 0; b < perSequence; b++) {
                    tables[s][b] = (s + 1) * perSequence - 1 - b;
                }
                tokens[s] = 42 + s;
                sequenceOfToken[s] = s;
            }
            ForwardBatch batch =
                    new ForwardBatch(sequences, tokens, positions, sequenceOfToken, tables, sequences, sequenceOfToken);
            int contextLimit = perSequence * 16 - 4;
            // C2 compiles the kernels at its own pace (slower when other tests load the machine); a
            // structural allocation shows in every round, warm-up allocation only in the first ones.
            long perStep = Long.MAX_VALUE;
            int steps = 0;
            for (int round = 0; round < 20 && perStep >= 64; round++) {
                long before = mx.getCurrentThreadAllocatedBytes();
                for (int i = 0; i < 300; i++, steps++) {
                    java.util.Arrays.fill(positions, steps % contextLimit);
                    r.forward(batch);
                }
                perStep = round < 2 ? perStep : (mx.getCurrentThreadAllocatedBytes() - before) / 300;
            }
            assertTrue(
                    perStep < 64, "a warm decode step of " + sequences + " sequences allocated " + perStep + " bytes");
        }
    }
}
