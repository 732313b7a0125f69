package dev.tandem.device.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** ov_compiled_model_t: a model compiled for one device; makes the infer requests. */
public final class OvCompiledModel extends OvObject {
    private final String device;

    OvCompiledModel(OpenVinoRuntime ov, MemorySegment handle, String device) {
        super(ov, handle, ov.compiledFree, "compiled model");
        this.device = device;
    }

    public String device() {
        return device;
    }

    public String property(String key) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ov.check("ov_compiled_model_get_property(" + key + ")", (int)
                    ov.compiledGetProperty.invokeExact(handle(), arena.allocateFrom(key), out));
            return ov.takeString(out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }

    /** Whether OpenVINO took this compiled model from CACHE_DIR instead of compiling it (LOADED_FROM_CACHE). */
    public boolean loadedFromCache() {
        String v = property("LOADED_FROM_CACHE");
        return v.equalsIgnoreCase("YES") || v.equalsIgnoreCase("true");
    }

    public OvInferRequest createInferRequest() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment out = arena.allocate(ADDRESS);
            ov.check("ov_compiled_model_create_infer_request", (int) ov.createInferRequest.invokeExact(handle(), out));
            return new OvInferRequest(ov, out.get(ADDRESS, 0));
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }
}
