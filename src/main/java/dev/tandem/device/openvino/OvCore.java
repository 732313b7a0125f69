package dev.tandem.device.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** ov_core_t: the devices OpenVINO can use, reading models and compiling them for a device. */
public final class OvCore extends OvObject {
    OvCore(OpenVinoRuntime ov) {
        super(ov, create(ov), ov.coreFree, "core");
    }

    private static MemorySegment create(OpenVinoRuntime ov) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ov.check("ov_core_create", (int) ov.coreCreate.invokeExact(out));
            return out.get(ADDRESS, 0);
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }

    /** The device names OpenVINO reports, e.g. CPU, GPU, NPU (GPU.0, GPU.1 on machines with several). */
    public List<String> availableDevices() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment devices = arena.allocate(OpenVinoRuntime.DEVICES);
            ov.check("ov_core_get_available_devices", (int) ov.availableDevices.invokeExact(handle(), devices));
            long n = devices.get(JAVA_LONG, 8);
            MemorySegment names = devices.get(ADDRESS, 0).reinterpret(n * ADDRESS.byteSize());
            List<String> out = new ArrayList<>();
            for (long i = 0; i < n; i++) {
                out.add(names.getAtIndex(ADDRESS, i).reinterpret(Long.MAX_VALUE).getString(0));
            }
            ov.availableDevicesFree.invokeExact(devices);
            return out;
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }

    /** A device property as a string, e.g. FULL_DEVICE_NAME. */
    public String deviceProperty(String device, String key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ov.check("ov_core_get_property(" + device + ", " + key + ")", (int)
                    ov.coreGetProperty.invokeExact(handle(), arena.allocateFrom(device), arena.allocateFrom(key), out));
            return ov.takeString(out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }

    /** Reads an IR (model.xml with its weights in bin, or next to it when bin is null). */
    public OvModel readModel(Path xml, Path bin) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            MemorySegment binPath = bin == null ? MemorySegment.NULL : arena.allocateFrom(bin.toString());
            ov.check("ov_core_read_model(" + xml + ")", (int)
                    ov.readModel.invokeExact(handle(), arena.allocateFrom(xml.toString()), binPath, out));
            return new OvModel(ov, out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }

    /** Compiles the model for the device with these properties (CACHE_DIR, NPUW_*, ...), in order. */
    public OvCompiledModel compile(OvModel model, String device, Map<String, String> properties) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            Object[] args = new Object[5 + 2 * properties.size()];
            args[0] = handle();
            args[1] = model.handle();
            args[2] = arena.allocateFrom(device);
            args[3] = 2L * properties.size();
            args[4] = out;
            int i = 5;
            for (Map.Entry<String, String> e : properties.entrySet()) {
                args[i++] = arena.allocateFrom(e.getKey());
                args[i++] = arena.allocateFrom(e.getValue());
            }
            int status = (int) ov.compileModel(properties.size()).invokeWithArguments(args);
            ov.check("ov_core_compile_model(" + device + ")", status);
            return new OvCompiledModel(ov, out.get(ADDRESS, 0), device);
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }
}
