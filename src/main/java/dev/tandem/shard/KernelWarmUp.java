package dev.tandem.shard;

import dev.tandem.model.Checkpoint;
import dev.tandem.model.ForwardBatch;
import java.time.Duration;
import java.util.Arrays;

/**
 * Throwaway forward passes that a CPU shard runs before it reports ready, so that its first
 * requests run JIT-compiled kernels instead of paying for the compilation: a shard process is a
 * JVM of its own, and without this the first requests after a start or a restart were slower than
 * in-process mode (whose shards share one JVM's compiled code). It runs on a private runner with
 * its own small KV arena, never on the shared one, which may hold live sequences after a restart;
 * alternately a prefill of 16 tokens and decode steps of one, four and sixteen sequences
 * (the Java and the C matmul paths), until {@link #PASSES} passes have run or the budget is
 * spent (for big models, whose passes are long, compilation matters less).
 */
public final class KernelWarmUp {
    private static final int SEQUENCES = 16;
    private static final int BLOCKS_PER_SEQUENCE = 4;
    /** Enough for the JIT's top tier on every kernel (the demo model runs them in 1.7 s). */
    static final int PASSES = 400;

    private KernelWarmUp() {}

    /** Returns the number of forward passes run: PASSES, or fewer when the budget ran out first. */
    public static int run(Checkpoint checkpoint, int blockSize, int threads, Duration budget) {
        if (budget.isZero() || budget.isNegative()) {
            return 0;
        }
        int contextLimit = BLOCKS_PER_SEQUENCE * blockSize;
        RunnerSettings settings =
                new RunnerSettings(blockSize, SEQUENCES * BLOCKS_PER_SEQUENCE, contextLimit, SEQUENCES, threads);
        long deadline = System.nanoTime() + budget.toNanos();
        int passes = 0;
        try (ModelRunner runner = new ModelRunner(checkpoint, settings)) {
            int vocab = runner.config().vocabSize();
            int[][] tables = new int[SEQUENCES][BLOCKS_PER_SEQUENCE];
            for (int s = 0; s < SEQUENCES; s++) {
                for (int b = 0; b < BLOCKS_PER_SEQUENCE; b++) {
                    tables[s][b] = s * BLOCKS_PER_SEQUENCE + b;
                }
            }
            // Long enough for the batched kernels (8 tokens and up), short enough that a big model's
            // first, still-interpreted prefill stays within a few seconds.
            int[] prompt = new int[Math.min(contextLimit / 2, 16)];
            for (int i = 0; i < prompt.length; i++) {
                prompt[i] = (31 * i + 7) % vocab;
            }
            int[] tokens = new int[SEQUENCES];
            int[] positions = new int[SEQUENCES];
            int[] sequences = new int[SEQUENCES];
            for (int s = 0; s < SEQUENCES; s++) {
                sequences[s] = s;
                tokens[s] = prompt[s % prompt.length];
            }
            int step = 0;
            while (passes < PASSES && System.nanoTime() < deadline) {
                runner.feed(tables[step % SEQUENCES], prompt, 0, prompt.length, false);
                passes++;
                for (int batch : new int[] {1, 4, SEQUENCES}) {
                    for (int i = 0; i < 8 && passes < PASSES && System.nanoTime() < deadline; i++, step++) {
                        Arrays.fill(positions, prompt.length + step % (contextLimit - prompt.length));
                        runner.forward(new ForwardBatch(batch, tokens, positions, sequences, tables, batch, sequences));
                        passes++;
                    }
                }
            }
        }
        return passes;
    }
}
