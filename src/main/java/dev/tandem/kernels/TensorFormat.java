package dev.tandem.kernels;

/** Element formats that weight matrices can be stored in; the kernels switch on this once per call. */
public enum TensorFormat {
    F32(4),
    F16(2),
    BF16(2);

    private final int bytesPerElement;

    TensorFormat(int bytesPerElement) {
        this.bytesPerElement = bytesPerElement;
    }

    public int bytesPerElement() {
        return bytesPerElement;
    }
}
