package dev.tandem.cli;

import dev.tandem.model.Checkpoint;
import dev.tandem.model.GenerationDefaults;
import dev.tandem.request.SamplingParams;
import dev.tandem.request.StopChecker;
import dev.tandem.sampling.Sampler;
import dev.tandem.sampling.SequenceSampling;
import dev.tandem.shard.ModelRunner;
import dev.tandem.shard.RunnerSettings;
import dev.tandem.tokenizer.ChatPrompt;
import dev.tandem.tokenizer.IncrementalDetokenizer;
import dev.tandem.tokenizer.TextTokenizer;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code tandem generate}: one prompt through the engine, text streamed to stdout, speed to stderr. */
@Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate text for one prompt.")
public class GenerateCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions;

    @ArgGroup(multiplicity = "1")
    Prompt prompt;

    static class Prompt {
        @Option(names = "--prompt", description = "prompt text")
        String text;

        @Option(names = "--prompt-ids", split = ",", description = "prompt token ids, e.g. 1,2,3")
        int[] ids;
    }

    @Option(names = "--chat", description = "wrap the prompt as a user message in the model's chat template")
    boolean chat;

    @Option(names = "--max-tokens", defaultValue = "128")
    int maxTokens;

    @Option(names = "--temperature", description = "default: generation_config.json, else 1.0")
    Float temperature;

    @Option(names = "--top-p", description = "default: generation_config.json, else 1.0")
    Float topP;

    @Option(names = "--top-k", defaultValue = "0")
    int topK;

    @Option(names = "--seed")
    Long seed;

    @Option(names = "--ignore-eos")
    boolean ignoreEos;

    @Option(names = "--stop", description = "stop string (repeatable)")
    List<String> stop = List.of();

    @Option(names = "--print-ids", description = "print the generated ids, space-separated, on the last line")
    boolean printIds;

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        long start = System.nanoTime();
        try (Checkpoint ckpt = modelOptions.open();
                TextTokenizer tok = TextTokenizer.load(modelOptions.model)) {
            GenerationDefaults defaults =
                    GenerationDefaults.read(modelOptions.model, ckpt.config().eosTokenIds());
            int[] promptIds = promptIds(tok);
            int context = Math.min(ckpt.config().maxPositions(), promptIds.length + maxTokens);
            if (promptIds.length >= ckpt.config().maxPositions()) {
                System.err.println("prompt of " + promptIds.length + " tokens does not fit the context of "
                        + ckpt.config().maxPositions());
                return 2;
            }
            SamplingParams params = SamplingParams.builder()
                    .temperature(temperature != null ? temperature : defaults.temperature())
                    .topP(topP != null ? topP : defaults.topP())
                    .topK(topK)
                    .seed(seed != null ? OptionalLong.of(seed) : OptionalLong.empty())
                    .maxTokens(maxTokens)
                    .ignoreEos(ignoreEos)
                    .stopStrings(stop)
                    .build();
            RunnerSettings settings = new RunnerSettings(
                    RunnerSettings.DEFAULT_BLOCK_SIZE,
                    (context + RunnerSettings.DEFAULT_BLOCK_SIZE - 1) / RunnerSettings.DEFAULT_BLOCK_SIZE,
                    256,
                    1,
                    modelOptions.threads());
            try (ModelRunner runner = new ModelRunner(ckpt, settings)) {
                double loadSeconds = (System.nanoTime() - start) / 1e9;
                int[] ids = Arrays.copyOf(promptIds, context);
                int[] table = runner.reversedBlockTable(context);
                Sampler sampler = new Sampler(ckpt.config().vocabSize());
                SequenceSampling seq =
                        new SequenceSampling(params, ckpt.config().vocabSize(), promptIds);
                StopChecker stopper = new StopChecker(params, defaults.eosTokenIds());
                IncrementalDetokenizer detok = new IncrementalDetokenizer(tok, true);

                long t0 = System.nanoTime();
                float[] logits = runner.feed(table, ids, 0, promptIds.length, false);
                long t1 = System.nanoTime();
                int len = promptIds.length;
                int generated = 0;
                while (!stopper.isFinished()) {
                    int next = sampler.sample(logits, 0, seq, defaults.eosTokenIds());
                    seq.accept(next);
                    generated++;
                    if (stopper.isStopToken(next)) {
                        ids[len++] = next;
                        break;
                    }
                    ids[len++] = next;
                    out.print(stopper.filter(detok.add(next)));
                    stopper.checkLength(generated);
                    if (!stopper.isFinished() && len >= context) {
                        stopper.finish(dev.tandem.request.FinishReason.LENGTH);
                    }
                    if (!stopper.isFinished()) {
                        logits = runner.feed(table, ids, len - 1, len, false);
                    }
                }
                out.print(stopper.filter(detok.finish()));
                out.println(stopper.flush());
                long t2 = System.nanoTime();
                if (printIds) {
                    StringBuilder sb = new StringBuilder();
                    for (int i = promptIds.length; i < len; i++) {
                        sb.append(i > promptIds.length ? " " : "").append(ids[i]);
                    }
                    out.println(sb);
                }
                System.err.printf(
                        "load %.2f s | prompt %d tokens, %.1f tokens/s | generated %d tokens, %.2f tokens/s | finish %s%n",
                        loadSeconds,
                        promptIds.length,
                        promptIds.length / ((t1 - t0) / 1e9),
                        generated,
                        Math.max(0, generated - 1) / ((t2 - t1) / 1e9),
                        stopper.finishReason().apiName());
            }
        }
        return 0;
    }

    private int[] promptIds(TextTokenizer tok) {
        if (prompt.ids != null) {
            return prompt.ids;
        }
        if (chat) {
            String rendered =
                    ChatPrompt.forTokenizer(tok).render(List.of(Map.of("role", "user", "content", prompt.text)), true);
            return tok.encode(rendered, false);
        }
        return tok.encode(prompt.text, true);
    }
}
