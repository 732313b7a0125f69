package dev.tandem.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import jakarta.inject.Inject;
import java.util.Map;
import picocli.CommandLine;

/**
 * Entry point. {@code serve} options become configuration before Quarkus starts (the HTTP
 * listener and the engine are only enabled for {@code serve}); then picocli runs the command.
 */
@QuarkusMain
public class TandemMain implements QuarkusApplication {
    private static final Map<String, String> SERVE_OPTIONS = Map.of(
            "--port",
            "quarkus.http.port",
            "--host",
            "quarkus.http.host",
            "--model",
            "tandem.engine.model",
            "--api-key",
            "tandem.api.key",
            "--served-model-name",
            "tandem.engine.served-model-name",
            "--tool-call-parser",
            "tandem.api.tool-call-parser",
            "--scheduling-policy",
            "tandem.engine.scheduling-policy",
            "--priority-aging",
            "tandem.engine.priority-aging",
            "--kv-cache-dtype",
            "tandem.engine.kv-cache-dtype");

    @Inject
    CommandLine commandLine;

    public static void main(String... args) {
        if (args.length > 0 && args[0].equals("serve")) {
            System.setProperty("tandem.serve", "true");
            for (int i = 1; i < args.length; i++) {
                String[] kv = args[i].split("=", 2);
                String property = SERVE_OPTIONS.get(kv[0]);
                if (property != null) {
                    String value = kv.length == 2 ? kv[1] : i + 1 < args.length ? args[++i] : null;
                    if (value != null) {
                        System.setProperty(property, value);
                    }
                }
            }
        }
        Quarkus.run(TandemMain.class, args);
    }

    @Override
    public int run(String... args) {
        return commandLine.execute(args);
    }
}
