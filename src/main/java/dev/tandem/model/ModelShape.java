package dev.tandem.model;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The exact dimensions of published models, for random-weight checkpoints of real sizes. */
public record ModelShape(
        String name,
        String architecture,
        int vocab,
        int hidden,
        int intermediate,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        double ropeTheta,
        boolean tied,
        boolean qkvBias,
        int maxPositions,
        double rmsEps,
        double llama3RopeFactor) {

    public static final List<ModelShape> ALL = List.of(
            new ModelShape(
                    "llama-3.2-1b",
                    "LlamaForCausalLM",
                    128256,
                    2048,
                    8192,
                    16,
                    32,
                    8,
                    64,
                    500000,
                    true,
                    false,
                    131072,
                    1e-5,
                    32),
            new ModelShape(
                    "llama-3.2-3b",
                    "LlamaForCausalLM",
                    128256,
                    3072,
                    8192,
                    28,
                    24,
                    8,
                    128,
                    500000,
                    true,
                    false,
                    131072,
                    1e-5,
                    32),
            new ModelShape(
                    "llama-3.1-8b",
                    "LlamaForCausalLM",
                    128256,
                    4096,
                    14336,
                    32,
                    32,
                    8,
                    128,
                    500000,
                    false,
                    false,
                    131072,
                    1e-5,
                    8),
            new ModelShape(
                    "qwen2.5-0.5b",
                    "Qwen2ForCausalLM",
                    151936,
                    896,
                    4864,
                    24,
                    14,
                    2,
                    64,
                    1000000,
                    true,
                    true,
                    32768,
                    1e-6,
                    0),
            new ModelShape(
                    "qwen2.5-1.5b",
                    "Qwen2ForCausalLM",
                    151936,
                    1536,
                    8960,
                    28,
                    12,
                    2,
                    128,
                    1000000,
                    true,
                    true,
                    32768,
                    1e-6,
                    0),
            new ModelShape(
                    "qwen3-0.6b",
                    "Qwen3ForCausalLM",
                    151936,
                    1024,
                    3072,
                    28,
                    16,
                    8,
                    128,
                    1000000,
                    true,
                    false,
                    40960,
                    1e-6,
                    0),
            new ModelShape(
                    "qwen3-1.7b",
                    "Qwen3ForCausalLM",
                    151936,
                    2048,
                    6144,
                    28,
                    16,
                    8,
                    128,
                    1000000,
                    true,
                    false,
                    40960,
                    1e-6,
                    0),
            new ModelShape(
                    "mistral-7b",
                    "MistralForCausalLM",
                    32768,
                    4096,
                    14336,
                    32,
                    32,
                    8,
                    128,
                    1000000,
                    false,
                    false,
                    32768,
                    1e-5,
                    0));

    public static ModelShape named(String name) {
        return ALL.stream()
                .filter(s -> s.name.equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown shape '" + name + "'; known: "
                        + ALL.stream().map(ModelShape::name).toList()));
    }

    /** config.json contents in the layout published checkpoints use; specials are the last three ids. */
    public Map<String, Object> configJson() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of(architecture));
        c.put("model_type", architecture.replace("ForCausalLM", "").toLowerCase());
        c.put("vocab_size", vocab);
        c.put("hidden_size", hidden);
        c.put("intermediate_size", intermediate);
        c.put("num_hidden_layers", layers);
        c.put("num_attention_heads", heads);
        c.put("num_key_value_heads", kvHeads);
        c.put("head_dim", headDim);
        c.put("hidden_act", "silu");
        c.put("max_position_embeddings", maxPositions);
        c.put("rms_norm_eps", rmsEps);
        c.put("rope_theta", ropeTheta);
        c.put(
                "rope_scaling",
                llama3RopeFactor > 0
                        ? Map.of(
                                "rope_type",
                                "llama3",
                                "factor",
                                llama3RopeFactor,
                                "low_freq_factor",
                                1.0,
                                "high_freq_factor",
                                4.0,
                                "original_max_position_embeddings",
                                8192)
                        : null);
        c.put("tie_word_embeddings", tied);
        c.put("bos_token_id", vocab - 3);
        c.put("eos_token_id", List.of(vocab - 3, vocab - 1));
        c.put("torch_dtype", "bfloat16");
        return c;
    }
}
