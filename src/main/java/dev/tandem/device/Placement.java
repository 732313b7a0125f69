package dev.tandem.device;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Where one shard runs: the device it binds and the backend that drives it, resolved from what
 * was asked for and what discovery found. {@code AUTO} means the NPU for prefill and the GPU for
 * decode where they exist and a backend that can drive them is configured, else the CPU. Under
 * {@code strict} a device that was asked for but cannot be had refuses the start, naming it;
 * otherwise the shard falls back to the CPU and the placement says why.
 *
 * @param device the device the shard runs on
 * @param backend the backend that drives it ({@code cpu} or {@code openvino})
 * @param deviceName the discovered device's name, or the CPU's
 * @param note empty, or why the shard does not run where it was asked to
 */
public record Placement(ShardRole role, DeviceKind device, Backend backend, String deviceName, String note) {

    /** As {@link #resolve(ShardRole, String, Backend, boolean, Discovery, String)} where no OpenVINO runtime was loaded. */
    public static Placement resolve(
            ShardRole role, String requestedDevice, Backend backend, boolean strict, Discovery found) {
        return resolve(role, requestedDevice, backend, strict, found, "no OpenVINO runtime was loaded");
    }

    /**
     * openvinoMissing: null when the OpenVINO runtime is loaded (then {@code found} should list the
     * devices OpenVINO reports), else why backend openvino is not available (e.g. where
     * libopenvino_c.so was looked for).
     */
    public static Placement resolve(
            ShardRole role,
            String requestedDevice,
            Backend backend,
            boolean strict,
            Discovery found,
            String openvinoMissing) {
        java.util.function.Predicate<Backend> available = b -> b == Backend.CPU || openvinoMissing == null;
        String unavailable = "backend openvino is not available (" + openvinoMissing + ")";
        String asked = requestedDevice.trim().toUpperCase(Locale.ROOT);
        if (!List.of("AUTO", "NPU", "GPU", "CPU").contains(asked)) {
            throw new IllegalArgumentException(
                    "tandem.shards." + role + ".device must be NPU, GPU, CPU or AUTO, got " + requestedDevice);
        }
        if (asked.equals("AUTO")) {
            DeviceKind preferred = role.autoDevice();
            Optional<Device> d = first(found, preferred);
            if (d.isPresent() && backend != Backend.CPU && available.test(backend)) {
                return new Placement(role, preferred, backend, d.get().name(), "");
            }
            String why = d.isEmpty()
                    ? "no " + preferred + " found (" + found.status() + ")"
                    : preferred + " " + d.get().name() + " found, but backend " + backend.configName()
                            + " cannot drive it";
            return cpu(role, "AUTO: " + why);
        }
        if (asked.equals("CPU")) {
            if (available.test(backend)) {
                // OpenVINO names its CPU device "CPU"; the cpu backend's placement just says cpu.
                return new Placement(role, DeviceKind.CPU, backend, backend == Backend.OPENVINO ? "CPU" : "cpu", "");
            }
            if (strict) {
                throw new IllegalStateException("the " + role + " shard asks for " + unavailable
                        + "; tandem.hardware.strict=true refuses to fall back to backend cpu");
            }
            return cpu(role, unavailable + "; running on backend cpu");
        }
        DeviceKind kind = DeviceKind.valueOf(asked);
        Optional<Device> d = first(found, kind);
        String problem = d.isEmpty()
                ? "no " + kind + " was found (" + found.status() + ")"
                : !available.test(backend)
                        ? unavailable
                        : backend == Backend.CPU
                                ? "backend cpu cannot drive the " + kind + " "
                                        + d.get().name() + " (use backend openvino)"
                                : null;
        if (problem == null) {
            return new Placement(role, kind, backend, d.get().name(), "");
        }
        if (strict) {
            throw new IllegalStateException("the " + role + " shard asks for the " + kind + ", but " + problem
                    + "; tandem.hardware.strict=true refuses to fall back to the CPU");
        }
        return cpu(role, kind + " asked for, but " + problem + "; running on the CPU");
    }

    private static Placement cpu(ShardRole role, String note) {
        return new Placement(role, DeviceKind.CPU, Backend.CPU, "cpu", note);
    }

    private static Optional<Device> first(Discovery found, DeviceKind kind) {
        return found.devices().stream().filter(d -> d.kind() == kind).findFirst();
    }

    /** For logs, health data and /v1/devices. */
    public String describe() {
        return device + " (" + deviceName + ", backend " + backend.configName() + ")"
                + (note.isEmpty() ? "" : " [" + note + "]");
    }
}
