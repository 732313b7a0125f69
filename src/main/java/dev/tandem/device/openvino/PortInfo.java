package dev.tandem.device.openvino;

import java.util.Arrays;
import java.util.stream.Collectors;

/** One input or output of a model: its tensor name, element type and shape (-1 = dynamic). */
public record PortInfo(String name, ElementType type, long[] dims) {
    public boolean isDynamic() {
        return Arrays.stream(dims).anyMatch(d -> d < 0);
    }

    /** As OpenVINO prints shapes: [?,4,?,32]. */
    public String shape() {
        return Arrays.stream(dims)
                .mapToObj(d -> d < 0 ? "?" : Long.toString(d))
                .collect(Collectors.joining(",", "[", "]"));
    }

    @Override
    public String toString() {
        return name + " " + type.name().toLowerCase(java.util.Locale.ROOT) + shape();
    }
}
