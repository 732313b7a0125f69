package dev.tandem.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --model option every command shares; the embedded demo model when none is given. */
public class ModelOptions {
    public static final Path DEFAULT_MODEL = Path.of("models/demo-llama-6m");

    @Option(names = "--model", description = "Hugging Face checkpoint folder (default: ${DEFAULT-VALUE})",
            defaultValue = "models/demo-llama-6m")
    Path model;

    @Option(names = "--threads", description = "kernel threads (default: all cores)")
    Integer threads;

    int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
