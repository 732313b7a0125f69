package dev.tandem.model;

import dev.tandem.kernels.TensorFormat;
import java.io.IOException;

/** Element types a safetensors file may hold that Tandem reads. */
public enum DType {
    F32(4, "F32"),
    F16(2, "F16"),
    BF16(2, "BF16"),
    I64(8, "I64"),
    I32(4, "I32"),
    I8(1, "I8"),
    U8(1, "U8");

    private final int bytes;
    private final String code;

    DType(int bytes, String code) {
        this.bytes = bytes;
        this.code = code;
    }

    public int bytes() {
        return bytes;
    }

    static DType parse(String code, String where) throws IOException {
        for (DType d : values()) {
            if (d.code.equals(code)) {
                return d;
            }
        }
        throw new IOException(where + ": unsupported dtype '" + code + "'");
    }

    /** The kernel format for a floating-point weight, or an error naming the tensor. */
    public TensorFormat weightFormat(String tensorName) {
        return switch (this) {
            case F32 -> TensorFormat.F32;
            case F16 -> TensorFormat.F16;
            case BF16 -> TensorFormat.BF16;
            default ->
                throw new IllegalArgumentException("tensor " + tensorName + " has dtype " + this
                        + ", which is not a floating-point weight format (F32, F16, BF16)");
        };
    }
}
