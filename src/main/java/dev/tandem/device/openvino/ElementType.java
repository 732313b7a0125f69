package dev.tandem.device.openvino;

/**
 * The element types Tandem reads and writes, with their ov_element_type_e codes. These codes are
 * the same in every OpenVINO 2023.x to 2026.x release; only codes after U1 moved (2025.0 added
 * U2, U3, U6), and those are read as OTHER.
 */
public enum ElementType {
    BF16(3, 2),
    F16(4, 2),
    F32(5, 4),
    I32(10, 4),
    I64(11, 8),
    OTHER(-1, 0);

    final int code;
    private final int bytes;

    ElementType(int code, int bytes) {
        this.code = code;
        this.bytes = bytes;
    }

    public int bytes() {
        return bytes;
    }

    static ElementType of(int code) {
        for (ElementType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return OTHER;
    }
}
