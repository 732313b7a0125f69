package dev.tandem.cli;

import dev.tandem.quant.Baker;
import dev.tandem.quant.QuantScheme;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tandem bake}: a Hugging Face checkpoint with its linear layers quantized to INT8 or INT4, without calibration data. */
@Command(
        name = "bake",
        mixinStandardHelpOptions = true,
        description =
                "Quantize a checkpoint's linear layers to int8 or int4 (data-free, per group), writing a new folder.")
public class BakeCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "Hugging Face checkpoint folder")
    Path model;

    @Option(names = "--out", required = true, description = "the baked checkpoint's folder (must not exist)")
    Path out;

    @Option(names = "--weights", required = true, description = "int8 or int4")
    Weights weights;

    @Option(
            names = "--group-size",
            defaultValue = "128",
            description = "input columns per scale (default ${DEFAULT-VALUE})")
    int groupSize;

    @Option(names = "--symmetric", description = "no zero points (default: asymmetric, as NNCF's data-free INT4)")
    boolean symmetric;

    @Option(
            names = "--head",
            defaultValue = "int8",
            description = "output head: int8 (asymmetric, default) or keep (as stored)")
    Head head;

    /** What the linear layers become. */
    enum Weights {
        INT8,
        INT4
    }

    /** What the output head becomes. */
    enum Head {
        INT8,
        KEEP
    }

    @Override
    public Integer call() throws Exception {
        QuantScheme scheme;
        try {
            scheme = new QuantScheme(weights == Weights.INT8 ? 8 : 4, groupSize, symmetric);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        long t0 = System.nanoTime();
        // On a terminal one line is redrawn; in a log, a line per tensor.
        String lineEnd = System.console() != null ? "\r" : "\n";
        Baker.bake(
                model,
                out,
                scheme,
                head == Head.KEEP,
                (name, action, done) ->
                        System.err.printf("[%3d%%] %-50s %s%s", (int) (done * 100), name, action, lineEnd));
        System.err.printf(
                "%nbaked %s (%s, groups of %d) into %s in %.1f s%n",
                model, scheme.name(), groupSize, out, (System.nanoTime() - t0) / 1e9);
        return 0;
    }
}
