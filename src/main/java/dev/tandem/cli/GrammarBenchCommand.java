package dev.tandem.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.bench.BatchedDecode;
import dev.tandem.grammar.GrammarMatcher;
import dev.tandem.grammar.Grammars;
import dev.tandem.grammar.StructuredOutput;
import dev.tandem.grammar.TokenVocabulary;
import dev.tandem.kernels.KernelPath;
import dev.tandem.model.Checkpoint;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import dev.tandem.tokenizer.TextTokenizer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tandem bench grammar}: what structured output costs next to the forward pass. Per schema:
 * compile time (schema to grammar to automaton, and the first mask over the whole vocabulary),
 * then the mask and advance of every token of a valid answer, the first time (each configuration
 * new) and again (masks cached), against the decode time per token of the same model, in one run.
 */
@Command(
        name = "grammar",
        mixinStandardHelpOptions = true,
        description = "Measure grammar compile time and token-mask cost against decode time.")
public class GrammarBenchCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String[]> CASES = List.of(
            new String[] {
                "person",
                "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},\"age\":{\"type\":\"integer\","
                        + "\"minimum\":0,\"maximum\":150},\"email\":{\"type\":\"string\",\"format\":\"email\"}},\"required\":[\"name\",\"age\"]}",
                "{\"name\": \"Ada Lovelace\", \"age\": 36, \"email\": \"ada@example.org\"}"
            },
            new String[] {
                "invoice",
                "{\"type\":\"object\",\"properties\":{\"number\":{\"type\":\"string\",\"pattern\":\"^INV-[0-9]{4}$\"},"
                        + "\"date\":{\"type\":\"string\",\"format\":\"date\"},\"lines\":{\"type\":\"array\",\"items\":{\"type\":\"object\","
                        + "\"properties\":{\"item\":{\"type\":\"string\"},\"qty\":{\"type\":\"integer\",\"minimum\":1},\"price\":{\"type\":\"number\"}},"
                        + "\"required\":[\"item\",\"qty\",\"price\"]}},\"paid\":{\"type\":\"boolean\"}},\"required\":[\"number\",\"date\",\"lines\",\"paid\"]}",
                "{\"number\": \"INV-0042\", \"date\": \"2026-12-06\", \"lines\": [{\"item\": \"Widget, large\", \"qty\": 3, \"price\": 19.99},"
                        + " {\"item\": \"Shipping\", \"qty\": 1, \"price\": 5.5}], \"paid\": false}"
            },
            new String[] {
                "json_object",
                null,
                "{\"title\": \"A day at the sea\", \"tags\": [\"travel\", \"summer\"], \"rating\": 4.5,"
                        + " \"notes\": {\"weather\": \"sunny\", \"crowded\": true}}"
            });

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--tokenizer", description = "folder with the tokenizer.json to mask over (default: the model's)")
    Path tokenizerDir;

    @Option(names = "--decode-tokens", defaultValue = "32")
    int decodeTokens;

    @Override
    public Integer call() throws Exception {
        Path tokDir = tokenizerDir != null ? tokenizerDir : modelOptions.model;
        try (Checkpoint ckpt = modelOptions.open();
                TextTokenizer tokenizer = TextTokenizer.load(tokDir)) {
            int vocabSize = ckpt.config().vocabSize();
            double decodeMs = decodeMillisPerToken(ckpt);
            long t0 = System.nanoTime();
            TokenVocabulary vocab = TokenVocabulary.load(tokDir, vocabSize);
            Grammars grammars = Grammars.of(vocab);
            grammars.matcher(StructuredOutput.choice(List.of("x"))); // builds the token trie
            double trieMs = (System.nanoTime() - t0) / 1e6;
            System.out.printf("model            %s, vocabulary %d (%s)%n", modelOptions.model, vocabSize, tokDir);
            System.out.printf("kernels          %s%n", KernelPath.describe());
            System.out.printf(
                    "decode           %.1f ms per token (batch 1, %d tokens, the first quarter as warm-up)%n",
                    decodeMs, decodeTokens);
            System.out.printf("vocabulary+trie  %.0f ms (once per shard)%n", trieMs);
            float[] logits = new float[vocabSize];
            List<Integer> eos = List.of(vocabSize - 1);
            for (String[] c : CASES) {
                long c0 = System.nanoTime();
                String gbnf =
                        c[1] == null ? StructuredOutput.jsonObject() : StructuredOutput.jsonSchema(JSON.readTree(c[1]));
                GrammarMatcher m = grammars.matcher(gbnf);
                long c1 = System.nanoTime();
                m.mask(logits, 0, vocabSize, eos);
                long c2 = System.nanoTime();
                int[] ids = tokenizer.encode(c[2], false);
                double[] cold = walk(grammars.matcher(gbnf), ids, logits, vocabSize, eos);
                double[] warm = walk(grammars.matcher(gbnf), ids, logits, vocabSize, eos);
                System.out.printf(
                        "%-12s compile %.1f ms + first mask %.1f ms; %d tokens: mask+advance mean %.3f ms cold (max %.1f),"
                                + " %.3f ms cached (%.2f%% of decode)%n",
                        c[0],
                        (c1 - c0) / 1e6,
                        (c2 - c1) / 1e6,
                        ids.length,
                        mean(cold),
                        max(cold),
                        mean(warm),
                        100 * mean(warm) / decodeMs);
                System.out.printf("%-12s cold per token = %.2f%% of decode%n", "", 100 * mean(cold) / decodeMs);
            }
        }
        return 0;
    }

    /** Milliseconds of mask + advance per token along a valid answer; fails if the grammar refuses it. */
    private static double[] walk(GrammarMatcher m, int[] ids, float[] logits, int vocab, List<Integer> eos) {
        double[] ms = new double[ids.length];
        for (int i = 0; i < ids.length; i++) {
            Arrays.fill(logits, 0f);
            long t0 = System.nanoTime();
            m.mask(logits, 0, vocab, eos);
            m.accept(ids[i]);
            ms[i] = (System.nanoTime() - t0) / 1e6;
            if (logits[ids[i]] == Float.NEGATIVE_INFINITY || !m.alive()) {
                throw new IllegalStateException("the grammar refused token " + i + " of a valid answer");
            }
        }
        if (!m.mayEnd()) {
            throw new IllegalStateException("the grammar does not end after a complete answer");
        }
        return ms;
    }

    /** Decode time per token at batch 1, by the loop `tandem bench decode --batch` uses. */
    private double decodeMillisPerToken(Checkpoint ckpt) {
        int prompt = 16,
                blocks =
                        (prompt + decodeTokens + RunnerSettings.DEFAULT_BLOCK_SIZE - 1)
                                / RunnerSettings.DEFAULT_BLOCK_SIZE;
        try (ModelRunner runner = new ModelRunner(
                ckpt,
                new RunnerSettings(RunnerSettings.DEFAULT_BLOCK_SIZE, blocks, prompt, 1, modelOptions.threads()))) {
            return 1000 / BatchedDecode.tokensPerSecond(runner, ckpt.config(), 1, blocks, prompt, decodeTokens);
        }
    }

    private static double mean(double[] v) {
        return Arrays.stream(v).average().orElse(0);
    }

    private static double max(double[] v) {
        return Arrays.stream(v).max().orElse(0);
    }
}
