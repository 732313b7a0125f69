package dev.tandem.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The pooling a Sentence-Transformers model directory declares: {@code modules.json} names its
 * Pooling module's folder (e.g. {@code 1_Pooling}), whose {@code config.json} sets one
 * {@code pooling_mode_*} flag. Empty when the directory has none (a plain causal LM).
 */
public final class SentenceTransformersPooling {
    private SentenceTransformersPooling() {}

    /** "mean", "last" or another mode's name (e.g. "cls"), as the model declares it. */
    public static Optional<String> read(Path modelDir) throws IOException {
        Path modules = modelDir.resolve("modules.json");
        if (!Files.isRegularFile(modules)) {
            return Optional.empty();
        }
        ObjectMapper json = new ObjectMapper();
        for (JsonNode m : json.readTree(modules.toFile())) {
            if (!m.path("type").asText().endsWith(".Pooling")) {
                continue;
            }
            Path config = modelDir.resolve(m.path("path").asText()).resolve("config.json");
            if (!Files.isRegularFile(config)) {
                return Optional.empty();
            }
            JsonNode c = json.readTree(config.toFile());
            for (String mode : new String[] {"mean_tokens", "lasttoken", "cls_token", "max_tokens"}) {
                if (c.path("pooling_mode_" + mode).asBoolean(false)) {
                    return Optional.of(
                            switch (mode) {
                                case "mean_tokens" -> "mean";
                                case "lasttoken" -> "last";
                                case "cls_token" -> "cls";
                                default -> "max";
                            });
                }
            }
        }
        return Optional.empty();
    }
}
