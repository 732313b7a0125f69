package dev.tandem.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PlacementTest {
    static final Discovery NONE = new Discovery(List.of(), "no Level Zero driver");
    static final Discovery BOTH = new Discovery(
            List.of(
                    new Device(DeviceKind.NPU, "Test NPU", 0x8086, 0x7d1d, true, 1L << 30, 0),
                    new Device(DeviceKind.GPU, "Test GPU", 0x8086, 0x7d55, true, 8L << 30, 0)),
            "ok");

    @Test
    void autoRunsOnTheCpuWhenNothingIsFoundAndSaysWhy() {
        Placement p = Placement.resolve(ShardRole.PREFILL, "AUTO", Backend.CPU, true, NONE);
        assertEquals(DeviceKind.CPU, p.device());
        assertTrue(p.note().contains("no NPU found (no Level Zero driver)"), p.note());
        assertEquals(
                DeviceKind.CPU,
                Placement.resolve(ShardRole.DECODE, "auto", Backend.CPU, false, NONE)
                        .device());
    }

    @Test
    void autoNeedsABackendThatCanDriveTheDevice() {
        Placement p = Placement.resolve(ShardRole.DECODE, "AUTO", Backend.CPU, true, BOTH);
        assertEquals(DeviceKind.CPU, p.device());
        assertTrue(p.note().contains("GPU Test GPU found, but backend cpu cannot drive it"), p.note());
    }

    @Test
    void strictRefusesAMissingDeviceNamingIt() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> Placement.resolve(ShardRole.PREFILL, "NPU", Backend.CPU, true, NONE));
        assertTrue(
                e.getMessage().contains("asks for the NPU, but no NPU was found (no Level Zero driver)"),
                e.getMessage());
        e = assertThrows(
                IllegalStateException.class,
                () -> Placement.resolve(ShardRole.DECODE, "GPU", Backend.OPENVINO, true, BOTH));
        assertTrue(e.getMessage().contains("backend openvino is not available"), e.getMessage());
        e = assertThrows(
                IllegalStateException.class,
                () -> Placement.resolve(ShardRole.DECODE, "CPU", Backend.OPENVINO, true, NONE));
        assertTrue(e.getMessage().contains("backend openvino"), e.getMessage());
    }

    @Test
    void withoutStrictAMissingDeviceFallsBackToTheCpu() {
        Placement p = Placement.resolve(ShardRole.DECODE, "GPU", Backend.CPU, false, NONE);
        assertEquals(DeviceKind.CPU, p.device());
        assertEquals(Backend.CPU, p.backend());
        assertTrue(p.describe().contains("GPU asked for, but no GPU was found"), p.describe());
        assertEquals(
                DeviceKind.CPU,
                Placement.resolve(ShardRole.DECODE, "CPU", Backend.CPU, true, BOTH)
                        .device());
    }

    @Test
    void unknownValuesAreRefusedNamingTheSetting() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> Placement.resolve(ShardRole.DECODE, "TPU", Backend.CPU, false, NONE));
        assertTrue(e.getMessage().contains("tandem.shards.decode.device"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backend.parse("cuda", "tandem.shards.prefill.backend"));
        assertTrue(e.getMessage().contains("tandem.shards.prefill.backend"), e.getMessage());
    }

    @Test
    void openVinoPlacesOnItsOwnDevicesOrStrictlyRefusesNamingWhatIsMissing() {
        Placement p = Placement.resolve(ShardRole.PREFILL, "AUTO", Backend.OPENVINO, true, BOTH, null);
        assertEquals(DeviceKind.NPU, p.device());
        assertEquals(Backend.OPENVINO, p.backend());
        assertEquals(
                DeviceKind.GPU,
                Placement.resolve(ShardRole.DECODE, "GPU", Backend.OPENVINO, true, BOTH, null)
                        .device());
        String missing = "libopenvino_c.so was not found in /opt/intel/openvino/runtime/lib/intel64/libopenvino_c.so";
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> Placement.resolve(ShardRole.PREFILL, "NPU", Backend.OPENVINO, true, BOTH, missing));
        assertTrue(e.getMessage().contains("backend openvino is not available (" + missing + ")"), e.getMessage());
        Placement fallback = Placement.resolve(ShardRole.PREFILL, "NPU", Backend.OPENVINO, false, BOTH, missing);
        assertEquals(DeviceKind.CPU, fallback.device());
        assertTrue(fallback.note().contains(missing), fallback.note());
    }
}
