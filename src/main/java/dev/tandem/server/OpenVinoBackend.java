package dev.tandem.server;

import dev.tandem.device.Device;
import dev.tandem.device.DeviceKind;
import dev.tandem.device.Discovery;
import dev.tandem.device.Placement;
import dev.tandem.device.openvino.OpenVinoRuntime;
import dev.tandem.device.openvino.OvCore;
import dev.tandem.shard.OpenVinoOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The server's view of the OpenVINO backend: whether its runtime loads and which devices it has, and each shard's options. */
final class OpenVinoBackend {
    private OpenVinoBackend() {}

    /** missing: null when the runtime loaded, else why not; devices: what OpenVINO reports (named by OpenVINO's ids). */
    record Status(Discovery devices, String missing) {}

    static Status probe(OpenVinoSettings s) {
        try {
            OpenVinoRuntime ov = OpenVinoRuntime.load(s.library());
            List<Device> found = new ArrayList<>();
            try (OvCore core = ov.createCore()) {
                for (String id : core.availableDevices()) {
                    DeviceKind kind = id.startsWith("NPU")
                            ? DeviceKind.NPU
                            : id.startsWith("GPU") ? DeviceKind.GPU : DeviceKind.CPU;
                    found.add(new Device(kind, id, 0x8086, 0, true, 0, 0));
                }
            }
            return new Status(
                    new Discovery(
                            found,
                            "OpenVINO " + ov.version() + " at " + ov.library() + " reports " + found.size()
                                    + " devices"),
                    null);
        } catch (RuntimeException e) {
            return new Status(new Discovery(List.of(), e.getMessage()), e.getMessage());
        }
    }

    static OpenVinoOptions options(OpenVinoSettings s, Path modelDir, Placement place) {
        Path ir = s.ir().map(Path::of).orElse(modelDir.resolve(OpenVinoOptions.IR_FILE));
        Path cache = s.cacheDir()
                .map(Path::of)
                .orElse(Path.of(System.getProperty("user.home"), ".cache", "tandem", "openvino"));
        List<String> extra = place.device() == DeviceKind.NPU
                ? s.npuProperties().orElse(List.of())
                : place.device() == DeviceKind.GPU ? s.gpuProperties().orElse(List.of()) : List.of();
        Map<String, String> properties = new LinkedHashMap<>();
        for (String kv : extra) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "tandem.openvino." + place.device().name().toLowerCase(java.util.Locale.ROOT)
                                + "-properties takes KEY=VALUE entries, got " + kv);
            }
            properties.put(kv.substring(0, eq).trim(), kv.substring(eq + 1).trim());
        }
        return new OpenVinoOptions(s.library(), ir, s.prefillChunk(), cache, properties);
    }
}
