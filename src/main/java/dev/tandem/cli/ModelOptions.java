package dev.tandem.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The --model option every command shares; the embedded demo model when none is given. */
public class ModelOptions {
    /** The embedded demo model, found beside the launcher (tandem.home) or in the working directory. */
    @Option(
            names = "--model",
            description = "Hugging Face checkpoint folder (default: the embedded demo model, ${DEFAULT-VALUE})",
            defaultValue = "${sys:tandem.home:-.}/models/demo-llama-6m")
    Path model;

    @Option(names = "--threads", description = "kernel threads (default: all cores)")
    Integer threads;

    @Option(
            names = "--huge-pages",
            description = "copy the weights into transparent huge pages (faster decode, a private copy)")
    boolean hugePages;

    @Option(
            names = "--kv-cache-dtype",
            defaultValue = "auto",
            description = "how the KV cache stores keys and values: auto (f32) or int8 (default: ${DEFAULT-VALUE})")
    String kvCacheDtype;

    dev.tandem.kernels.KvDtype kvDtype() {
        return dev.tandem.kernels.KvDtype.parse(kvCacheDtype);
    }

    dev.tandem.model.Checkpoint open() throws java.io.IOException {
        return dev.tandem.model.Checkpoint.open(model, hugePages);
    }

    int threads() {
        return threads != null ? threads : Runtime.getRuntime().availableProcessors();
    }
}
