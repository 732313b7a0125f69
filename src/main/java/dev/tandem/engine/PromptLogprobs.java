package dev.tandem.engine;

/**
 * The logprob of every prompt token given the tokens before it, with the most likely
 * alternatives: entry 0 (the first token, which nothing predicts) is NaN with no alternatives.
 */
public record PromptLogprobs(int[] tokens, float[] logprobs, int[][] topTokens, float[][] topLogprobs) {
    static PromptLogprobs of(int[] promptTokens) {
        int n = promptTokens.length;
        float[] logprobs = new float[n];
        logprobs[0] = Float.NaN;
        int[][] top = new int[n][];
        float[][] topLogprobs = new float[n][];
        top[0] = new int[0];
        topLogprobs[0] = new float[0];
        return new PromptLogprobs(promptTokens, logprobs, top, topLogprobs);
    }

    /** Records position's entry; a preempted request computes its prompt again, to the same values. */
    void set(int position, float logprob, int[] top, float[] topLogprob) {
        logprobs[position] = logprob;
        topTokens[position] = top;
        topLogprobs[position] = topLogprob;
    }
}
