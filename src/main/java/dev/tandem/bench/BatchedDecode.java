package dev.tandem.bench;

import dev.tandem.model.ForwardBatch;
import dev.tandem.model.ModelConfig;
import dev.tandem.sampling.Sampler;
import dev.tandem.shard.ModelRunner;
import java.util.Random;

/**
 * Decode speed of many sequences stepped together, the engine's share of serving throughput: each
 * step is one forward pass over one new token of every sequence, as the scheduler sends it.
 */
public final class BatchedDecode {
    private BatchedDecode() {}

    /** Prefills batch random prompts, then times the last 3/4 of decodeTokens steps of the whole batch. */
    public static double tokensPerSecond(
            ModelRunner runner,
            ModelConfig config,
            int batch,
            int blocksPerSequence,
            int promptTokens,
            int decodeTokens) {
        int vocab = config.vocabSize();
        int[][] tables = new int[batch][blocksPerSequence];
        int[] next = new int[batch];
        Random random = new Random(2);
        for (int seq = 0; seq < batch; seq++) {
            for (int b = 0; b < blocksPerSequence; b++) {
                tables[seq][b] = seq * blocksPerSequence + b;
            }
            int[] prompt = random.ints(promptTokens, 0, vocab).toArray();
            next[seq] = Sampler.argmax(runner.feed(tables[seq], prompt, 0, promptTokens, false), 0, vocab);
        }
        int[] tokens = new int[batch];
        int[] positions = new int[batch];
        int[] sequenceOfToken = new int[batch];
        int[] logitTokens = new int[batch];
        for (int seq = 0; seq < batch; seq++) {
            sequenceOfToken[seq] = seq;
            logitTokens[seq] = seq;
        }
        int warmUp = decodeTokens / 4; // JIT and caches; the positions stay within the prompt + decodeTokens
        long start = 0;
        for (int step = 0; step < decodeTokens; step++) {
            if (step == warmUp) {
                start = System.nanoTime();
            }
            for (int seq = 0; seq < batch; seq++) {
                tokens[seq] = next[seq];
                positions[seq] = promptTokens + step;
            }
            float[] logits = runner.forward(
                    new ForwardBatch(batch, tokens, positions, sequenceOfToken, tables, batch, logitTokens));
            for (int seq = 0; seq < batch; seq++) {
                next[seq] = Sampler.argmax(logits, seq * vocab, vocab);
            }
        }
        return (double) batch * (decodeTokens - warmUp) / ((System.nanoTime() - start) / 1e9);
    }
}
