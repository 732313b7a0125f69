package dev.tandem.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class LevelZeroDiscoveryTest {
    @Test
    void withoutTheLoaderNoDevicesAndTheReason() {
        Discovery d = LevelZeroDiscovery.discover("libze_loader_that_does_not_exist.so.9");
        assertEquals(0, d.devices().size());
        assertTrue(
                d.status().contains("libze_loader_that_does_not_exist.so.9")
                        && d.status().contains("libze1"),
                d.status());
        assertTrue(!d.has(DeviceKind.GPU) && !d.has(DeviceKind.NPU));
    }

    /** With Debian's loader installed (.ci/run installs it where it can) but no Intel driver: no devices, and why. */
    @Test
    void theRealLoaderWithoutADriverReportsNoDevices() {
        Assumptions.assumeTrue(
                Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libze_loader.so.1")), "libze1 not installed");
        Assumptions.assumeTrue(
                !Files.exists(Path.of("/dev/dri")) && !Files.exists(Path.of("/dev/accel")), "a device node exists");
        Discovery d = LevelZeroDiscovery.discover();
        assertEquals(0, d.devices().size(), d.status());
        assertTrue(d.status().startsWith("zeInit returned 0x") || d.status().startsWith("zeDriverGet"), d.status());
    }

    /**
     * The found-a-device path, through the real loader: src-native/ze-test-driver (built by the
     * Maven build into target/native) reports one NPU and one GPU when the loader is pointed at it.
     */
    @Test
    void theRealLoaderWithTheTestDriverFindsAnNpuAndAGpu() throws Exception {
        Assumptions.assumeTrue(
                Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libze_loader.so.1")), "libze1 not installed");
        Path driver = Path.of("target/native/libze_tandem_test_driver.so");
        Path skipped = Path.of("target/native/ze-test-driver.skipped");
        Assumptions.assumeTrue(
                Files.exists(driver),
                () -> "test driver not built: " + (Files.exists(skipped) ? readQuietly(skipped) : "?"));
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(
                        java,
                        "--enable-native-access=ALL-UNNAMED",
                        "-cp",
                        System.getProperty("java.class.path"),
                        DiscoveryMain.class.getName())
                .redirectErrorStream(true);
        pb.environment().put("ZE_ENABLE_ALT_DRIVERS", driver.toAbsolutePath().toString());
        Process p = pb.start();
        List<String> lines =
                new String(p.getInputStream().readAllBytes()).lines().toList();
        assertEquals(0, p.waitFor(), String.join("\n", lines));
        List<String> devices =
                lines.stream().filter(l -> l.startsWith("device ")).toList();
        assertEquals(
                List.of(
                        "device Device[kind=NPU, name=Tandem Test NPU, vendorId=32902, deviceId=32029, integrated=true, memoryBytes=1073741824, driverIndex=0]",
                        "device Device[kind=GPU, name=Tandem Test GPU, vendorId=32902, deviceId=32085, integrated=true, memoryBytes=8589934592, driverIndex=0]"),
                devices,
                String.join("\n", lines));
    }

    static String readQuietly(Path p) {
        try {
            return Files.readString(p).strip();
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    @Test
    void levelZeroDeviceTypesMapToTandemKinds() {
        assertEquals(DeviceKind.GPU, DeviceKind.fromLevelZero(1));
        assertEquals(DeviceKind.CPU, DeviceKind.fromLevelZero(2));
        assertEquals(DeviceKind.NPU, DeviceKind.fromLevelZero(5));
        assertEquals(DeviceKind.OTHER, DeviceKind.fromLevelZero(3));
    }
}
