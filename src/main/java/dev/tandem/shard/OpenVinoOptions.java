package dev.tandem.shard;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How a shard uses OpenVINO: which libopenvino_c.so (empty: search), which IR, the NPU's static
 * prefill chunk (a power of two, as NPUW requires), where compiled models are cached, and extra
 * compile properties for the shard's device (they override the defaults of {@code openvino.CompileProperties}).
 */
public record OpenVinoOptions(
        Optional<String> library, Path ir, int prefillChunk, Path cacheDir, Map<String, String> properties) {
    public static final String IR_FILE = "openvino_model.xml";

    public OpenVinoOptions {
        if (prefillChunk < 1 || Integer.bitCount(prefillChunk) != 1) {
            throw new IllegalArgumentException(
                    "tandem.openvino.prefill-chunk must be a power of two (NPUW_LLM_PREFILL_CHUNK_SIZE), got "
                            + prefillChunk);
        }
        properties = Map.copyOf(properties);
    }

    /** As key=value worker arguments, prefixed "openvino."; compile properties as "openvino.property.KEY=VALUE". */
    public List<String> arguments() {
        List<String> out = new java.util.ArrayList<>(List.of(
                "openvino.library=" + library.orElse(""),
                "openvino.ir=" + ir.toAbsolutePath(),
                "openvino.prefill-chunk=" + prefillChunk,
                "openvino.cache-dir=" + cacheDir.toAbsolutePath()));
        properties.forEach((k, v) -> out.add("openvino.property." + k + "=" + v));
        return out;
    }

    /** Back from the worker's arguments; null when they name no IR (a CPU shard). */
    public static OpenVinoOptions parse(Map<String, String> args) {
        if (!args.containsKey("openvino.ir")) {
            return null;
        }
        Map<String, String> properties = new LinkedHashMap<>();
        args.forEach((k, v) -> {
            if (k.startsWith("openvino.property.")) {
                properties.put(k.substring("openvino.property.".length()), v);
            }
        });
        String library = args.getOrDefault("openvino.library", "");
        return new OpenVinoOptions(
                library.isBlank() ? Optional.empty() : Optional.of(library),
                Path.of(args.get("openvino.ir")),
                Integer.parseInt(args.get("openvino.prefill-chunk")),
                Path.of(args.get("openvino.cache-dir")),
                properties);
    }
}
