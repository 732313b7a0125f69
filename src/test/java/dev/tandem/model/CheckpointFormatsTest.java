package dev.tandem.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.shard.ModelRunner;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same weights stored as f32 in two shards, or as f16, give the reference logits. */
class CheckpointFormatsTest {
    static final Path QWEN2 = Path.of("src/test/resources/hf-reference/qwen2");
    static final ObjectMapper JSON = new ObjectMapper();

    /** Rewrites the qwen2 fixture with every tensor in dtype, split into two files with an index. */
    static void convert(Path out, DType dtype) throws Exception {
        Files.copy(QWEN2.resolve("config.json"), out.resolve("config.json"));
        try (Arena arena = Arena.ofConfined()) {
            Map<String, Tensor> tensors = SafeTensorsFile.map(QWEN2.resolve("model.safetensors"), arena)
                    .tensors();
            List<SafeTensorsWriter.Entry> first = new ArrayList<>(), second = new ArrayList<>();
            Map<String, String> weightMap = new LinkedHashMap<>();
            int i = 0;
            for (Tensor t : tensors.values()) {
                float[] values = t.toFloats(t.shape());
                SafeTensorsWriter.Entry e = new SafeTensorsWriter.Entry(t.name(), dtype, t.shape(), seg -> {
                    for (int k = 0; k < values.length; k++) {
                        if (dtype == DType.F32) {
                            seg.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, k, values[k]);
                        } else {
                            seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, k, Float.floatToFloat16(values[k]));
                        }
                    }
                });
                boolean inFirst = i++ % 2 == 0;
                (inFirst ? first : second).add(e);
                weightMap.put(
                        t.name(), inFirst ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
            }
            SafeTensorsWriter.write(out.resolve("model-00001-of-00002.safetensors"), first);
            SafeTensorsWriter.write(out.resolve("model-00002-of-00002.safetensors"), second);
            JSON.writeValue(out.resolve("model.safetensors.index.json").toFile(), Map.of("weight_map", weightMap));
        }
    }

    static float maxLogitError(Path dir) throws Exception {
        return maxLogitError(dir, false);
    }

    static float maxLogitError(Path dir, boolean hugePages) throws Exception {
        HfReferenceTest.Expected e = HfReferenceTest.Expected.read(QWEN2);
        try (Checkpoint ckpt = Checkpoint.open(dir, hugePages);
                ModelRunner r = HfReferenceTest.runner(ckpt, 64)) {
            int vocab = ckpt.config().vocabSize();
            int[] table = r.reversedBlockTable(e.inputIds().length);
            float[] logits = r.feed(table, e.inputIds(), 0, e.inputIds().length, true);
            float worst = 0;
            for (int i = 0; i < e.inputIds().length * vocab; i++) {
                worst = Math.max(worst, Math.abs(logits[i] - e.logits()[i]));
            }
            return worst;
        }
    }

    @Test
    void shardedF32CheckpointGivesTheSameLogits(@TempDir Path dir) throws Exception {
        convert(dir, DType.F32);
        assertTrue(maxLogitError(dir) < 1e-4f, "f32 holds bf16 values exactly");
    }

    /** Weights copied into huge pages are the same weights: the reference logits still match. */
    @Test
    void weightsInHugePagesGiveTheSameLogits() throws Exception {
        assertTrue(maxLogitError(QWEN2, true) < 1e-4f);
    }

    @Test
    void f16CheckpointGivesTheSameLogits(@TempDir Path dir) throws Exception {
        convert(dir, DType.F16);
        float err = maxLogitError(dir);
        assertTrue(err < 1e-3f, "f16 holds these bf16 values (nearly) exactly: " + err);
    }

    @Test
    void unsupportedConfigValuesAreRefusedNamingTheField(@TempDir Path dir) throws Exception {
        assertEquals(
                "architectures", refusal(dir, c -> c.putArray("architectures").add("GPT2LMHeadModel")));
        assertEquals("hidden_act", refusal(dir, c -> c.put("hidden_act", "gelu")));
        assertEquals(
                "rope_scaling.rope_type",
                refusal(dir, c -> c.putObject("rope_scaling").put("rope_type", "yarn")));
        assertEquals("use_sliding_window", refusal(dir, c -> c.put("use_sliding_window", true)));
        assertEquals("num_key_value_heads", refusal(dir, c -> c.put("num_key_value_heads", 3)));
        assertEquals("vocab_size", refusal(dir, c -> c.remove("vocab_size")));
        assertEquals(
                "quantization_config",
                refusal(dir, c -> c.putObject("quantization_config").put("quant_method", "gptq")));
    }

    static String refusal(Path dir, java.util.function.Consumer<ObjectNode> edit) throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree(QWEN2.resolve("config.json").toFile());
        edit.accept(c);
        ModelConfig.ConfigException e = assertThrows(ModelConfig.ConfigException.class, () -> ModelConfig.parse(c));
        assertTrue(e.getMessage().contains(e.field()), e.getMessage());
        return e.field();
    }

    @Test
    void missingTensorsAndWrongShapesAreNamed(@TempDir Path dir) throws Exception {
        ObjectNode c = (ObjectNode) JSON.readTree(QWEN2.resolve("config.json").toFile());
        c.put("tie_word_embeddings", false);
        JSON.writeValue(dir.resolve("config.json").toFile(), c);
        Files.copy(QWEN2.resolve("model.safetensors"), dir.resolve("model.safetensors"));
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            Path shm = Files.createDirectories(dir.resolve("shm"));
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> new ModelRunner(
                            ckpt,
                            new dev.tandem.shard.RunnerSettings(
                                    16, 4, 8, 1, 1, shm, "kv", dev.tandem.kernels.KvDtype.F32)));
            assertTrue(e.getMessage().contains("lm_head.weight"), e.getMessage());
            try (var left = Files.list(shm)) {
                assertEquals(0, left.count(), "a refused checkpoint leaves no KV segment behind");
            }
        }
        c.put("tie_word_embeddings", true);
        c.put("intermediate_size", 128);
        JSON.writeValue(dir.resolve("config.json").toFile(), c);
        try (Checkpoint ckpt = Checkpoint.open(dir)) {
            IllegalArgumentException e = assertThrows(
                    IllegalArgumentException.class,
                    () -> new ModelRunner(ckpt, new dev.tandem.shard.RunnerSettings(16, 4, 8, 1, 1)));
            assertTrue(e.getMessage().contains("gate_proj") && e.getMessage().contains("shape"), e.getMessage());
        }
    }
}
