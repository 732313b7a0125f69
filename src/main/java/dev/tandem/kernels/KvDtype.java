package dev.tandem.kernels;

import java.util.Locale;

/**
 * How the paged KV cache stores keys and values: F32 (the computed values as they are), or INT8:
 * one signed byte per value and one f32 scale per (token, KV head) for its keys and one for its
 * values (the value's largest magnitude / 127), dequantized inside attention. INT8 takes
 * headDim + 4 bytes per token-head where f32 takes 4 x headDim: 3.8x the blocks at head size 64.
 */
public enum KvDtype {
    F32(4),
    INT8(1);

    private final int bytesPerValue;

    KvDtype(int bytesPerValue) {
        this.bytesPerValue = bytesPerValue;
    }

    public int bytesPerValue() {
        return bytesPerValue;
    }

    /** auto (the computed f32 values) or int8, as --kv-cache-dtype takes them. */
    public static KvDtype parse(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "auto", "f32", "float32" -> F32;
            case "int8" -> INT8;
            default -> throw new IllegalArgumentException("kv-cache-dtype must be auto or int8, got " + name);
        };
    }

    /** The name in configuration and on the worker's command line. */
    public String configName() {
        return this == F32 ? "auto" : "int8";
    }
}
