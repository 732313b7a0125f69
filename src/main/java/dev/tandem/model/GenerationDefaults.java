package dev.tandem.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/** Sampling defaults and stop ids from {@code generation_config.json}, as transformers applies them. */
public record GenerationDefaults(float temperature, float topP, List<Integer> eosTokenIds) {
    public static GenerationDefaults read(Path modelDir, List<Integer> configEos) throws IOException {
        Path file = modelDir.resolve("generation_config.json");
        JsonNode g = Files.isRegularFile(file)
                ? new ObjectMapper().readTree(file.toFile())
                : new ObjectMapper().createObjectNode();
        LinkedHashSet<Integer> eos = new LinkedHashSet<>(configEos);
        JsonNode e = g.path("eos_token_id");
        if (e.isArray()) {
            e.forEach(x -> eos.add(x.asInt()));
        } else if (e.isNumber()) {
            eos.add(e.asInt());
        }
        boolean sample = g.path("do_sample").asBoolean(false);
        float temperature = sample ? (float) g.path("temperature").asDouble(1.0) : 0f;
        return new GenerationDefaults(temperature, (float) g.path("top_p").asDouble(1.0), new ArrayList<>(eos));
    }
}
