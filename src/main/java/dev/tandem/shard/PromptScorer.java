package dev.tandem.shard;

import dev.tandem.model.ForwardBatch;

/**
 * Prompt logprobs (echo with logprobs, vLLM's prompt_logprobs): for every prompt token after the
 * first, its logprob given the tokens before it, with the most likely alternatives. A step's
 * scored positions are fed first and alone, in pieces that fit the runner's logit rows, with
 * logits for every token. The KV they write is what the batch would have written (the kernels are
 * batch-invariant), so the rest of the step (the prompt's last token, which samples) goes on from it.
 */
final class PromptScorer {
    private final StepRunner runner;
    private final LogprobCalculator logprobs;
    private final int vocab;
    private final int[] tokens, positions, sequenceOfToken, logitTokens;
    private final int[][] table = new int[1][];

    PromptScorer(StepRunner runner, LogprobCalculator logprobs) {
        this.runner = runner;
        this.logprobs = logprobs;
        this.vocab = runner.config().vocabSize();
        int piece = Math.min(runner.maxBatchTokens(), runner.maxLogitTokens());
        tokens = new int[piece];
        positions = new int[piece];
        sequenceOfToken = new int[piece];
        logitTokens = new int[piece];
        for (int i = 0; i < piece; i++) {
            logitTokens[i] = i;
        }
    }

    /**
     * Computes positions [from, to) of a request, all before its prompt's last token, and writes the
     * logprob of the token after each (with numTop alternatives) to out[at ..].
     */
    void score(
            NewRequest request, int[] requestTokens, int[] blockTable, int from, int to, SampledToken[] out, int at) {
        table[0] = blockTable;
        for (int start = from; start < to; start += tokens.length) {
            int n = Math.min(tokens.length, to - start);
            for (int i = 0; i < n; i++) {
                tokens[i] = requestTokens[start + i];
                positions[i] = start + i;
            }
            float[] logits =
                    runner.forward(new ForwardBatch(n, tokens, positions, sequenceOfToken, table, n, logitTokens));
            for (int i = 0; i < n; i++) {
                logprobs.capture(logits, i * vocab, request.numPromptLogprobs());
                out[at++] = logprobs.result(request.requestId(), requestTokens[start + i + 1]);
            }
        }
    }
}
