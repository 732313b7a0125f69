package dev.tandem.device;

import java.util.Locale;

/** What drives a shard's device: Tandem's own CPU kernels, or OpenVINO (NPU, GPU, CPU). */
public enum Backend {
    CPU,
    OPENVINO;

    /** The name in configuration and on the worker's command line: cpu, openvino. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** setting: the configuration key, for the error message. */
    public static Backend parse(String name, String setting) {
        for (Backend b : values()) {
            if (b.configName().equals(name.trim().toLowerCase(Locale.ROOT))) {
                return b;
            }
        }
        throw new IllegalArgumentException(setting + " must be cpu or openvino, got " + name);
    }
}
