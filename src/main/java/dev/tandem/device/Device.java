package dev.tandem.device;

/** One device found by discovery: its kind, name, PCI ids, whether it is integrated, and its memory. */
public record Device(
        DeviceKind kind,
        String name,
        int vendorId,
        int deviceId,
        boolean integrated,
        long memoryBytes,
        int driverIndex) {}
