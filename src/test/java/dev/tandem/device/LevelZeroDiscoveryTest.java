package dev.tandem.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class LevelZeroDiscoveryTest {
    @Test
    void withoutTheLoaderNoDevicesAndTheReason() {
        Discovery d = LevelZeroDiscovery.discover("libze_loader_that_does_not_exist.so.9");
        assertEquals(0, d.devices().size());
        assertTrue(d.status().contains("libze_loader_that_does_not_exist.so.9") && d.status().contains("libze1"), d.status());
        assertTrue(!d.has(DeviceKind.GPU) && !d.has(DeviceKind.NPU));
    }

    /** With Debian's loader installed (.ci/run installs it where it can) but no Intel driver: no devices, and why. */
    @Test
    void theRealLoaderWithoutADriverReportsNoDevices() {
        Assumptions.assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libze_loader.so.1")), "libze1 not installed");
        Assumptions.assumeTrue(!Files.exists(Path.of("/dev/dri")) && !Files.exists(Path.of("/dev/accel")), "a device node exists");
        Discovery d = LevelZeroDiscovery.discover();
        assertEquals(0, d.devices().size(), d.status());
        assertTrue(d.status().startsWith("zeInit returned 0x") || d.status().startsWith("zeDriverGet"), d.status());
    }

    @Test
    void levelZeroDeviceTypesMapToTandemKinds() {
        assertEquals(DeviceKind.GPU, DeviceKind.fromLevelZero(1));
        assertEquals(DeviceKind.CPU, DeviceKind.fromLevelZero(2));
        assertEquals(DeviceKind.NPU, DeviceKind.fromLevelZero(5));
        assertEquals(DeviceKind.OTHER, DeviceKind.fromLevelZero(3));
    }
}
