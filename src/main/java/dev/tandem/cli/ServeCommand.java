package dev.tandem.cli;

import io.quarkus.runtime.Quarkus;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tandem serve}: the OpenAI-compatible HTTP server. Its options are applied as Quarkus
 * configuration before startup by {@link TandemMain}; they are declared here for help and validation.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Serve the OpenAI API over HTTP.")
public class ServeCommand implements Callable<Integer> {
    @Option(names = "--model", description = "Hugging Face checkpoint folder (default: the embedded demo model)")
    String model;

    @Option(names = "--port", description = "HTTP port (default 8000)")
    Integer port;

    @Option(names = "--host", description = "address to listen on (default 127.0.0.1)")
    String host;

    @Option(names = "--api-key", description = "require 'Authorization: Bearer <key>'")
    String apiKey;

    @Option(names = "--served-model-name", description = "the name clients use (default: the model folder's name)")
    String servedModelName;

    @Option(
            names = "--tool-call-parser",
            description = "how the model writes tool calls: auto (from the chat template), hermes, "
                    + "llama3_json, pythonic, mistral")
    String toolCallParser;

    @Option(
            names = "--scheduling-policy",
            description = "fcfs (arrival order) or priority (the requests' priority field, smaller first)")
    String schedulingPolicy;

    @Option(
            names = "--priority-aging",
            description = "under priority: a waiting request gains one level per interval (default 10s; 0: off)")
    String priorityAging;

    @Option(names = "--kv-cache-dtype", description = "auto (f32) or int8: keys and values as bytes with scales")
    String kvCacheDtype;

    @Override
    public Integer call() {
        Quarkus.waitForExit();
        return 0;
    }
}
