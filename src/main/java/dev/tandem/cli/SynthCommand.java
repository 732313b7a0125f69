package dev.tandem.cli;

import dev.tandem.model.ModelShape;
import dev.tandem.model.SyntheticCheckpoint;
import dev.tandem.tokenizer.SyntheticTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem synth}: a random-weight checkpoint of a published model's exact dimensions. */
@Command(
        name = "synth",
        mixinStandardHelpOptions = true,
        description =
                "Write a random-weight checkpoint of a published model's shape, with a tokenizer of its vocabulary size.")
public class SynthCommand implements Callable<Integer> {
    @Option(
            names = "--shape",
            required = true,
            description =
                    "llama-3.2-1b, llama-3.2-3b, llama-3.1-8b, qwen2.5-0.5b, qwen2.5-1.5b, qwen3-0.6b, qwen3-1.7b, mistral-7b")
    String shape;

    @Option(names = "--dtype", defaultValue = "bf16", description = "weight type (bf16)")
    String dtype;

    @Option(names = "--out", required = true)
    Path out;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!dtype.equals("bf16")) {
            System.err.println(
                    "--dtype " + dtype + " is not supported; synth writes bf16 (use `tandem bake` for int8/int4)");
            return 2;
        }
        ModelShape s = ModelShape.named(shape);
        long t0 = System.nanoTime();
        Path tmp = out.resolveSibling(out.getFileName() + ".partial");
        SyntheticCheckpoint.write(s, tmp, seed);
        SyntheticTokenizer.write(tmp, s.vocab());
        Files.move(tmp, out, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        System.err.printf(
                "wrote %s (%s, bf16) to %s in %.1f s%n",
                s.name(), s.architecture(), out, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
