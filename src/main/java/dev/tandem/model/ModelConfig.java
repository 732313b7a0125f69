package dev.tandem.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The parts of a Hugging Face {@code config.json} that shape the forward pass, validated at load:
 * anything Tandem cannot compute faithfully is refused with a message naming the field.
 */
public record ModelConfig(
        String architecture,
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numLayers,
        int numHeads,
        int numKvHeads,
        int headDim,
        int maxPositions,
        float rmsNormEps,
        double ropeTheta,
        RopeScaling ropeScaling,
        boolean tieWordEmbeddings,
        boolean qkNorm,
        int slidingWindow,
        List<Integer> eosTokenIds) {

    /** architectures entry -> whether it has per-head q/k RMSNorm. */
    private static final Map<String, Boolean> ARCHITECTURES = Map.of(
            "LlamaForCausalLM", false,
            "MistralForCausalLM", false,
            "Qwen2ForCausalLM", false,
            "Qwen3ForCausalLM", true);

    /** quantization_config.quant_method of checkpoints written by {@code tandem bake}, the only quantized kind loaded. */
    public static final String BAKED_METHOD = "tandem";

    public static ModelConfig parse(JsonNode c) {
        String arch = c.path("architectures").path(0).asText("");
        if (!ARCHITECTURES.containsKey(arch)) {
            throw new ConfigException(
                    "architectures",
                    "unsupported architecture '" + arch + "'; supported: "
                            + String.join(", ", new java.util.TreeSet<>(ARCHITECTURES.keySet())));
        }
        String act = c.path("hidden_act").asText("silu");
        if (!act.equals("silu")) {
            throw new ConfigException("hidden_act", "unsupported activation '" + act + "'; only silu is supported");
        }
        int hidden = required(c, "hidden_size");
        int heads = required(c, "num_attention_heads");
        int kvHeads = c.path("num_key_value_heads").isNumber()
                ? c.get("num_key_value_heads").asInt()
                : heads;
        if (heads % kvHeads != 0) {
            throw new ConfigException("num_key_value_heads", kvHeads + " does not divide num_attention_heads " + heads);
        }
        int headDim = c.path("head_dim").isNumber() ? c.get("head_dim").asInt() : hidden / heads;
        if (headDim % 2 != 0) {
            throw new ConfigException("head_dim", "must be even for rotary embeddings, got " + headDim);
        }
        if (c.hasNonNull("quantization_config")
                && !c.get("quantization_config").path("quant_method").asText().equals(BAKED_METHOD)) {
            throw new ConfigException(
                    "quantization_config",
                    "quantized checkpoints of method '"
                            + c.get("quantization_config").path("quant_method").asText("?") + "' are not supported");
        }
        boolean qwen = arch.startsWith("Qwen");
        if (qwen && c.path("use_sliding_window").asBoolean(false)) {
            throw new ConfigException("use_sliding_window", "Qwen sliding-window attention is not supported");
        }
        int window = (!qwen && c.path("sliding_window").isNumber())
                ? c.get("sliding_window").asInt()
                : 0;
        JsonNode rope = c.path("rope_parameters").isObject() ? c.get("rope_parameters") : c.path("rope_scaling");
        double theta = c.path("rope_theta").isNumber()
                ? c.get("rope_theta").asDouble()
                : rope.path("rope_theta").asDouble(10000.0);
        int maxPositions = c.path("max_position_embeddings").asInt(4096);
        return new ModelConfig(
                arch,
                required(c, "vocab_size"),
                hidden,
                required(c, "intermediate_size"),
                required(c, "num_hidden_layers"),
                heads,
                kvHeads,
                headDim,
                maxPositions,
                (float) c.path("rms_norm_eps").asDouble(1e-6),
                theta,
                ropeScaling(rope),
                c.path("tie_word_embeddings").asBoolean(false),
                ARCHITECTURES.get(arch),
                window,
                ids(c.path("eos_token_id")));
    }

    private static RopeScaling ropeScaling(JsonNode rope) {
        if (rope.isMissingNode() || rope.isNull()) {
            return RopeScaling.NONE;
        }
        String type = rope.hasNonNull("rope_type")
                ? rope.get("rope_type").asText()
                : rope.path("type").asText("default");
        return switch (type) {
            case "default" -> RopeScaling.NONE;
            case "linear" -> new RopeScaling("linear", rope.path("factor").asDouble(1), 1, 1, 0);
            case "llama3" ->
                new RopeScaling(
                        "llama3",
                        rope.path("factor").asDouble(),
                        rope.path("low_freq_factor").asDouble(),
                        rope.path("high_freq_factor").asDouble(),
                        rope.path("original_max_position_embeddings").asInt());
            default ->
                throw new ConfigException(
                        "rope_scaling.rope_type",
                        "unsupported rope scaling '" + type + "'; supported: default, linear, llama3");
        };
    }

    private static int required(JsonNode c, String field) {
        JsonNode n = c.get(field);
        if (n == null || !n.isNumber() || n.asInt() <= 0) {
            throw new ConfigException(field, "missing or not a positive integer");
        }
        return n.asInt();
    }

    private static List<Integer> ids(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        if (n.isArray()) {
            n.forEach(x -> out.add(x.asInt()));
        } else if (n.isNumber()) {
            out.add(n.asInt());
        }
        return List.copyOf(out);
    }

    public int qDim() {
        return numHeads * headDim;
    }

    public int kvDim() {
        return numKvHeads * headDim;
    }

    /** A config.json value that Tandem cannot serve; the message names the field. */
    public static final class ConfigException extends IllegalArgumentException {
        private final String field;

        public ConfigException(String field, String message) {
            super("config.json field '" + field + "': " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }
}
