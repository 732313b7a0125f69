package dev.tandem.quant;

import dev.tandem.kernels.TensorFormat;

/**
 * A data-free weight quantization scheme, as NNCF's: {@code bits} 8 or 4, groups of
 * {@code groupSize} input columns per scale, asymmetric (per-group zero point, the default) or
 * symmetric.
 */
public record QuantScheme(int bits, int groupSize, boolean symmetric) {
    public QuantScheme {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits must be 4 or 8, got " + bits);
        }
        if (groupSize < TensorFormat.Q4_BLOCK || groupSize % TensorFormat.Q4_BLOCK != 0) {
            throw new IllegalArgumentException(
                    "group size must be a positive multiple of " + TensorFormat.Q4_BLOCK + ", got " + groupSize);
        }
    }

    public TensorFormat format() {
        return bits == 8 ? TensorFormat.Q8 : TensorFormat.Q4;
    }

    /** The zero point of symmetric schemes: none for Q8 (signed), 8 for Q4 (stored unsigned). */
    public int fixedZero() {
        return bits == 8 ? 0 : 8;
    }

    /** The name written as quantization_config.weights: int8_asym, int4_sym, ... */
    public String name() {
        return "int" + bits + (symmetric ? "_sym" : "_asym");
    }
}
