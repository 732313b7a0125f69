package dev.tandem.cli;

import dev.tandem.kernels.KvDtype;
import dev.tandem.model.Checkpoint;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import dev.tandem.tokenizer.TextTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tandem eval}: perplexity of a model on a text, with a sliding window as in Hugging Face's
 * "perplexity of fixed-length models": windows of {@code context} tokens start every
 * {@code stride} tokens, each computed from scratch, and each scores only the tokens that no
 * earlier window scored, so every token after the first is predicted once, with at least
 * context - stride tokens of history once the text is longer than a window.
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Perplexity of a model on a text file (sliding window).")
public class EvalCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--text", required = true, description = "a UTF-8 text file")
    Path text;

    @Option(names = "--context", description = "window length in tokens (default: min(1024, the model's context))")
    Integer context;

    @Option(names = "--stride", description = "tokens between window starts (default: context / 2)")
    Integer stride;

    /** Mean negative log-likelihood (nats) and the number of tokens scored. */
    public record Result(double meanNll, int scored) {
        public double perplexity() {
            return Math.exp(meanNll);
        }
    }

    @Override
    public Integer call() throws Exception {
        try (Checkpoint ckpt = modelOptions.open();
                TextTokenizer tok = TextTokenizer.load(modelOptions.model)) {
            int[] ids = tok.encode(Files.readString(text), true);
            int ctx = context != null ? context : Math.min(1024, ckpt.config().maxPositions());
            int step = stride != null ? stride : ctx / 2;
            long t0 = System.nanoTime();
            Result r = perplexity(ckpt, modelOptions.threads(), ids, ctx, step, modelOptions.kvDtype());
            System.out.printf(
                    "perplexity %.4f over %d tokens (mean NLL %.5f nats; window %d, stride %d) in %.1f s%n",
                    r.perplexity(), r.scored(), r.meanNll(), ctx, step, (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }

    public static Result perplexity(Checkpoint ckpt, int threads, int[] ids, int context, int stride) {
        return perplexity(ckpt, threads, ids, context, stride, KvDtype.F32);
    }

    /** kvDtype: how the runner's KV cache stores keys and values. */
    public static Result perplexity(Checkpoint ckpt, int threads, int[] ids, int context, int stride, KvDtype kvDtype) {
        if (stride < 1 || stride > context || ids.length < 2) {
            throw new IllegalArgumentException("need 1 <= stride <= context and a text of at least 2 tokens");
        }
        int chunk = Math.min(context, 128);
        int vocab = ckpt.config().vocabSize();
        RunnerSettings s = new RunnerSettings(16, (context + 15) / 16, chunk, chunk, threads).withKvDtype(kvDtype);
        double nll = 0;
        int scored = 0;
        try (ModelRunner runner = new ModelRunner(ckpt, s)) {
            int[] table = runner.reversedBlockTable(context);
            int prevEnd = 0;
            for (int begin = 0; prevEnd < ids.length; begin += stride) {
                int end = Math.min(begin + context, ids.length);
                int[] window = Arrays.copyOfRange(ids, begin, end);
                int firstTarget = Math.max(prevEnd, begin + 1) - begin; // window index of the first token to score
                for (int from = 0; from < window.length - 1; from += chunk) {
                    int to = Math.min(from + chunk, window.length - 1);
                    if (to <= firstTarget - 1) {
                        runner.feed(table, window, from, to, false); // history only
                        continue;
                    }
                    float[] logits = runner.feed(table, window, from, to, true);
                    for (int i = from; i < to; i++) {
                        int target = i + 1;
                        if (target >= firstTarget) {
                            nll -= logProb(logits, (i - from) * vocab, vocab, window[target]);
                            scored++;
                        }
                    }
                }
                prevEnd = end;
            }
        }
        return new Result(nll / scored, scored);
    }

    private static double logProb(float[] logits, int off, int vocab, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < vocab; i++) {
            max = Math.max(max, logits[off + i]);
        }
        double sum = 0;
        for (int i = 0; i < vocab; i++) {
            sum += Math.exp(logits[off + i] - max);
        }
        return logits[off + token] - max - Math.log(sum);
    }
}
