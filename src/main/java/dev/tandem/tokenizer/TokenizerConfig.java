package dev.tandem.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code tokenizer_config.json} (and {@code chat_template.jinja}, which takes precedence)
 * say about special tokens, BOS handling and the chat template.
 */
public record TokenizerConfig(
        Optional<String> bosToken,
        Optional<String> eosToken,
        Optional<Boolean> addBosToken,
        Optional<String> chatTemplate,
        Map<String, String> specialTokens) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static TokenizerConfig read(Path modelDir) throws IOException {
        Path file = modelDir.resolve("tokenizer_config.json");
        JsonNode c = Files.isRegularFile(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
        Optional<String> template = Optional.empty();
        Path jinja = modelDir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            template = Optional.of(Files.readString(jinja));
        } else if (c.path("chat_template").isTextual()) {
            template = Optional.of(c.get("chat_template").asText());
        } else if (c.path("chat_template").isArray()) {
            // Named templates: transformers uses the one called "default".
            for (JsonNode t : c.get("chat_template")) {
                if (t.path("name").asText().equals("default")) {
                    template = Optional.of(t.path("template").asText());
                }
            }
        }
        Map<String, String> specials = new LinkedHashMap<>();
        for (String key : new String[] {"bos_token", "eos_token", "unk_token", "pad_token"}) {
            tokenText(c.get(key)).ifPresent(v -> specials.put(key, v));
        }
        Optional<Boolean> addBos = c.path("add_bos_token").isBoolean()
                ? Optional.of(c.get("add_bos_token").asBoolean())
                : Optional.empty();
        return new TokenizerConfig(
                tokenText(c.get("bos_token")), tokenText(c.get("eos_token")), addBos, template, Map.copyOf(specials));
    }

    /** Special tokens appear as plain strings or as {"content": ...} objects. */
    private static Optional<String> tokenText(JsonNode n) {
        if (n == null || n.isNull()) {
            return Optional.empty();
        }
        return Optional.of(n.isTextual() ? n.asText() : n.path("content").asText());
    }
}
