package dev.tandem.device;

import java.util.Locale;

/** What a shard does, which decides where AUTO places it: prompts on the NPU, decoding on the GPU. */
public enum ShardRole {
    PREFILL(DeviceKind.NPU),
    DECODE(DeviceKind.GPU);

    private final DeviceKind autoDevice;

    ShardRole(DeviceKind autoDevice) {
        this.autoDevice = autoDevice;
    }

    /** The device AUTO picks for this role where one is found and the backend can drive it. */
    public DeviceKind autoDevice() {
        return autoDevice;
    }

    /** The name in configuration keys, logs and health data: prefill, decode. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
