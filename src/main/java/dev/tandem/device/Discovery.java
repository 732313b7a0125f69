package dev.tandem.device;

import java.util.List;

/**
 * What device discovery found, and when it found nothing, why (no loader, no driver, an error
 * code). Discovery never throws: a machine without accelerators is a normal case.
 */
public record Discovery(List<Device> devices, String status) {
    public Discovery {
        devices = List.copyOf(devices);
    }

    public boolean has(DeviceKind kind) {
        return devices.stream().anyMatch(d -> d.kind() == kind);
    }
}
