package dev.tandem.device;

/** What a Level Zero device is, in Tandem's terms (Level Zero calls the NPU a "VPU"). */
public enum DeviceKind {
    GPU,
    NPU,
    CPU,
    OTHER;

    static DeviceKind fromLevelZero(int zeDeviceType) {
        return switch (zeDeviceType) {
            case 1 -> GPU;
            case 2 -> CPU;
            case 5 -> NPU;
            default -> OTHER;
        };
    }
}
