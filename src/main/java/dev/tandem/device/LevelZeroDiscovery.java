package dev.tandem.device;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds NPUs and GPUs through the Level Zero loader ({@code libze_loader.so.1}, Debian's
 * {@code libze1}) with the Foreign Function & Memory API: zeInit, zeDriverGet, zeDeviceGet,
 * zeDeviceGetProperties, zeDeviceGetMemoryProperties. Without the loader or a driver it reports
 * no devices and says why.
 */
public final class LevelZeroDiscovery {
    public static final String LOADER = "libze_loader.so.1";

    // ze_device_properties_t (x86-64): stype@0, pNext@8, type@16, vendorId@20, deviceId@24, flags@28,
    // ... uuid@96 (16 bytes), name@112 (256 chars); 368 bytes in all.
    private static final int STYPE_DEVICE_PROPERTIES = 0x3;
    private static final long PROPERTIES_SIZE = 368;
    private static final long OFFSET_TYPE = 16,
            OFFSET_VENDOR = 20,
            OFFSET_DEVICE = 24,
            OFFSET_FLAGS = 28,
            OFFSET_NAME = 112;
    private static final int FLAG_INTEGRATED = 0x1;
    // ze_device_memory_properties_t: stype@0, pNext@8, flags@16, maxClockRate@20, maxBusWidth@24,
    // totalSize@32, name@40 (256 chars); 296 bytes.
    private static final int STYPE_MEMORY_PROPERTIES = 0x7;
    private static final long MEMORY_SIZE = 296;
    private static final long OFFSET_TOTAL_SIZE = 32;
    private static final int MAX = 64;

    private LevelZeroDiscovery() {}

    public static Discovery discover() {
        return discover(LOADER);
    }

    public static Discovery discover(String library) {
        try (Arena arena = Arena.ofConfined()) {
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(library, arena);
            } catch (IllegalArgumentException e) {
                return new Discovery(
                        List.of(), "no Level Zero loader: " + library + " is not installed (Debian package libze1)");
            }
            Linker linker = Linker.nativeLinker();
            MethodHandle init =
                    linker.downcallHandle(find(lookup, "zeInit"), FunctionDescriptor.of(JAVA_INT, JAVA_INT));
            MethodHandle driverGet = linker.downcallHandle(
                    find(lookup, "zeDriverGet"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            MethodHandle deviceGet = linker.downcallHandle(
                    find(lookup, "zeDeviceGet"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
            MethodHandle properties = linker.downcallHandle(
                    find(lookup, "zeDeviceGetProperties"), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
            MethodHandle memory = linker.downcallHandle(
                    find(lookup, "zeDeviceGetMemoryProperties"),
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));

            int result = (int) init.invokeExact(0);
            if (result != 0) {
                return new Discovery(
                        List.of(),
                        "zeInit returned 0x" + Integer.toHexString(result)
                                + ": the loader found no Level Zero driver (no Intel GPU/NPU driver installed)");
            }
            MemorySegment count = arena.allocate(JAVA_INT);
            count.set(JAVA_INT, 0, MAX);
            MemorySegment drivers = arena.allocate(ADDRESS, MAX);
            result = (int) driverGet.invokeExact(count, drivers);
            if (result != 0 || count.get(JAVA_INT, 0) == 0) {
                return new Discovery(
                        List.of(), "zeDriverGet found no driver (result 0x" + Integer.toHexString(result) + ")");
            }
            List<Device> found = new ArrayList<>();
            int numDrivers = count.get(JAVA_INT, 0);
            for (int d = 0; d < numDrivers; d++) {
                MemorySegment driver = drivers.getAtIndex(ADDRESS, d);
                count.set(JAVA_INT, 0, MAX);
                MemorySegment devices = arena.allocate(ADDRESS, MAX);
                if ((int) deviceGet.invokeExact(driver, count, devices) != 0) {
                    continue;
                }
                for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
                    found.add(describe(devices.getAtIndex(ADDRESS, i), d, properties, memory, arena));
                }
            }
            return new Discovery(found, found.isEmpty() ? "the Level Zero drivers report no devices" : "ok");
        } catch (Throwable t) {
            return new Discovery(List.of(), "Level Zero discovery failed: " + t);
        }
    }

    private static Device describe(
            MemorySegment device, int driverIndex, MethodHandle properties, MethodHandle memory, Arena arena)
            throws Throwable {
        MemorySegment p = arena.allocate(PROPERTIES_SIZE, 8);
        p.set(JAVA_INT, 0, STYPE_DEVICE_PROPERTIES);
        int result = (int) properties.invokeExact(device, p);
        if (result != 0) {
            return new Device(
                    DeviceKind.OTHER,
                    "unreadable (0x" + Integer.toHexString(result) + ")",
                    0,
                    0,
                    false,
                    0,
                    driverIndex);
        }
        MemorySegment count = arena.allocate(JAVA_INT);
        count.set(JAVA_INT, 0, 8);
        MemorySegment m = arena.allocate(MEMORY_SIZE * 8, 8);
        for (int i = 0; i < 8; i++) {
            m.set(JAVA_INT, i * MEMORY_SIZE, STYPE_MEMORY_PROPERTIES);
        }
        long bytes = 0;
        if ((int) memory.invokeExact(device, count, m) == 0) {
            for (int i = 0; i < count.get(JAVA_INT, 0); i++) {
                bytes += m.get(JAVA_LONG, i * MEMORY_SIZE + OFFSET_TOTAL_SIZE);
            }
        }
        return new Device(
                DeviceKind.fromLevelZero(p.get(JAVA_INT, OFFSET_TYPE)),
                p.getString(OFFSET_NAME),
                p.get(JAVA_INT, OFFSET_VENDOR),
                p.get(JAVA_INT, OFFSET_DEVICE),
                (p.get(JAVA_INT, OFFSET_FLAGS) & FLAG_INTEGRATED) != 0,
                bytes,
                driverIndex);
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalStateException("the Level Zero loader lacks " + name));
    }
}
