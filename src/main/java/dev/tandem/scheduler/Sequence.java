package dev.tandem.scheduler;

import dev.tandem.request.FinishReason;
import dev.tandem.request.Pooling;
import dev.tandem.request.SamplingParams;
import java.util.Arrays;
import java.util.List;

/**
 * One request as the scheduler tracks it: its tokens (prompt, then outputs), how many of them
 * have KV computed, and how much of its block table each shard has been sent. Everything else is derived.
 */
public final class Sequence {
    enum Status {
        WAITING,
        RUNNING,
        FINISHED
    }

    final String requestId;
    final SamplingParams params;
    final List<Integer> eosTokenIds;
    final int numTopLogprobs;
    /** Top logprobs for each prompt token (-1: no prompt logprobs); its prompt is then never read from the prefix cache. */
    int numPromptLogprobs = -1;

    final int promptLength;
    /** Smaller runs first under the priority policy (vLLM's convention); 0 by default. */
    final int priority;
    /** When and in which order it arrived (set when queued; kept through preemptions). */
    long arrivalNanos;

    long arrivalOrder;
    int[] tokens;
    int numTokens;
    int numComputed;
    /** Prompt tokens found in the prefix cache at first admission (reported as usage). */
    int numCachedPromptTokens = -1;

    Status status = Status.WAITING;
    FinishReason finishReason;
    /** How many of its blocks each shard has been sent; -1 while that shard does not know the request. */
    int blocksOnPrefillShard = -1;

    int blocksOnDecodeShard = -1;

    public Sequence(
            String requestId,
            int[] promptTokens,
            SamplingParams params,
            List<Integer> eosTokenIds,
            int numTopLogprobs) {
        this(requestId, promptTokens, params, eosTokenIds, numTopLogprobs, 0);
    }

    public Sequence(
            String requestId,
            int[] promptTokens,
            SamplingParams params,
            List<Integer> eosTokenIds,
            int numTopLogprobs,
            int priority) {
        if (promptTokens.length == 0) {
            throw new IllegalArgumentException("empty prompt");
        }
        this.requestId = requestId;
        this.params = params;
        this.eosTokenIds = List.copyOf(eosTokenIds);
        this.numTopLogprobs = numTopLogprobs;
        this.promptLength = promptTokens.length;
        this.priority = priority;
        this.tokens = Arrays.copyOf(promptTokens, promptTokens.length + Math.min(params.maxTokens(), 64));
        this.numTokens = promptTokens.length;
    }

    public String requestId() {
        return requestId;
    }

    /** Asks for the logprob of every prompt token after the first, with numTop alternatives. */
    public Sequence withPromptLogprobs(int numTop) {
        numPromptLogprobs = numTop;
        return this;
    }

    boolean knownByPrefillShard() {
        return blocksOnPrefillShard >= 0;
    }

    boolean knownByDecodeShard() {
        return blocksOnDecodeShard >= 0;
    }

    /** False when every prompt token must be computed: its logprobs are wanted, or its states are mean-pooled. */
    boolean readsPrefixCache() {
        return numPromptLogprobs < 0
                && params.pooling().filter(p -> p == Pooling.MEAN).isEmpty();
    }

    /** Whether its next step is a decode token (one sampled token to feed back), else a prompt chunk. */
    boolean decodesNext() {
        return numOutputs() > 0 && numComputed == numTokens - 1;
    }

    int numOutputs() {
        return numTokens - promptLength;
    }

    void append(int token) {
        if (numTokens == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[numTokens++] = token;
    }

    int[] prompt() {
        return Arrays.copyOf(tokens, promptLength);
    }

    int[] outputs() {
        return Arrays.copyOfRange(tokens, promptLength, numTokens);
    }

    /** Tokens it can still generate before max_tokens or the context length ends it (stop tokens aside). */
    int numUsefulSamples(int maxModelLen) {
        return Math.max(1, Math.min(params.maxTokens() - numOutputs(), maxModelLen - numTokens));
    }

    /** The finish reason a freshly appended token causes, or null: stop/EOS token, max_tokens, context length. */
    FinishReason finishAfter(int token, int maxModelLen) {
        if (params.isStopToken(token, eosTokenIds)) {
            return FinishReason.STOP;
        }
        if (numOutputs() >= params.maxTokens() || numTokens >= maxModelLen) {
            return FinishReason.LENGTH;
        }
        return null;
    }
}
