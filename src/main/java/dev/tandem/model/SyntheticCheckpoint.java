package dev.tandem.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a random-weight checkpoint of a published shape in Hugging Face layout (bf16), so speed
 * can be measured at real sizes where real weights cannot be downloaded. Weights are small
 * uniform noise and norms are 1, which keeps activations finite through every layer.
 */
public final class SyntheticCheckpoint {
    private SyntheticCheckpoint() {}

    public static void write(ModelShape s, Path dir, long seed) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve("config.json").toFile(), s.configJson());
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        long[] rng = {seed * 0x9E3779B97F4A7C15L + 1};
        entries.add(matrix("model.embed_tokens.weight", s.vocab(), s.hidden(), rng, 0.05f));
        int q = s.heads() * s.headDim();
        int kv = s.kvHeads() * s.headDim();
        float attnScale = (float) (1 / Math.sqrt(s.hidden()));
        float mlpScale = (float) (1 / Math.sqrt(s.intermediate()));
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            entries.add(ones(p + "input_layernorm.weight", s.hidden()));
            entries.add(matrix(p + "self_attn.q_proj.weight", q, s.hidden(), rng, attnScale));
            entries.add(matrix(p + "self_attn.k_proj.weight", kv, s.hidden(), rng, attnScale));
            entries.add(matrix(p + "self_attn.v_proj.weight", kv, s.hidden(), rng, attnScale));
            if (s.qkvBias()) {
                entries.add(vector(p + "self_attn.q_proj.bias", q, rng, 0.02f));
                entries.add(vector(p + "self_attn.k_proj.bias", kv, rng, 0.02f));
                entries.add(vector(p + "self_attn.v_proj.bias", kv, rng, 0.02f));
            }
            if (s.architecture().startsWith("Qwen3")) {
                entries.add(ones(p + "self_attn.q_norm.weight", s.headDim()));
                entries.add(ones(p + "self_attn.k_norm.weight", s.headDim()));
            }
            entries.add(matrix(p + "self_attn.o_proj.weight", s.hidden(), q, rng, attnScale));
            entries.add(ones(p + "post_attention_layernorm.weight", s.hidden()));
            entries.add(matrix(p + "mlp.gate_proj.weight", s.intermediate(), s.hidden(), rng, attnScale));
            entries.add(matrix(p + "mlp.up_proj.weight", s.intermediate(), s.hidden(), rng, attnScale));
            entries.add(matrix(p + "mlp.down_proj.weight", s.hidden(), s.intermediate(), rng, mlpScale));
        }
        entries.add(ones("model.norm.weight", s.hidden()));
        if (!s.tied()) {
            entries.add(matrix("lm_head.weight", s.vocab(), s.hidden(), rng, attnScale));
        }
        SafeTensorsWriter.write(dir.resolve("model.safetensors"), entries);
    }

    private static SafeTensorsWriter.Entry matrix(String name, int rows, int cols, long[] rng, float scale) {
        return new SafeTensorsWriter.Entry(
                name, DType.BF16, new long[] {rows, cols}, seg -> fillUniform(seg, rng, scale));
    }

    private static SafeTensorsWriter.Entry vector(String name, int n, long[] rng, float scale) {
        return new SafeTensorsWriter.Entry(name, DType.BF16, new long[] {n}, seg -> fillUniform(seg, rng, scale));
    }

    private static SafeTensorsWriter.Entry ones(String name, int n) {
        short one = (short) (Float.floatToIntBits(1f) >>> 16);
        return new SafeTensorsWriter.Entry(name, DType.BF16, new long[] {n}, seg -> {
            for (long i = 0; i < seg.byteSize() / 2; i++) {
                seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, one);
            }
        });
    }

    /** Uniform in [-scale, scale) as bf16, from a xorshift stream (fast enough for gigabytes). */
    private static void fillUniform(MemorySegment seg, long[] rng, float scale) {
        long x = rng[0];
        long n = seg.byteSize() / 2;
        for (long i = 0; i < n; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            float u = ((x >>> 40) / (float) (1 << 24)) * 2f - 1f;
            seg.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) (Float.floatToIntBits(u * scale) >>> 16));
        }
        rng[0] = x;
    }
}
