package dev.tandem.device.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loaded libopenvino_c.so: the downcall handles of the C API subset Tandem uses, and the rule
 * that every status is checked and turned into an {@link OpenVinoException} carrying OpenVINO's
 * own message. The library stays loaded for the life of the process (plugins keep pointers into it).
 */
public final class OpenVinoRuntime {
    static final StructLayout SHAPE = MemoryLayout.structLayout(JAVA_LONG.withName("rank"), ADDRESS.withName("dims"));
    /** ov_partial_shape_t: rank {min, max}, dims (ov_dimension_t*, each {min, max}). */
    static final StructLayout PARTIAL_SHAPE = MemoryLayout.structLayout(JAVA_LONG, JAVA_LONG, ADDRESS);

    static final StructLayout DEVICES =
            MemoryLayout.structLayout(ADDRESS.withName("devices"), JAVA_LONG.withName("size"));

    private final Path library;
    private final SymbolLookup lookup;
    private final Linker linker = Linker.nativeLinker();
    private final Map<Integer, MethodHandle> compileByProperties = new ConcurrentHashMap<>();

    final MethodHandle errorInfo, lastErrorMessage, free, version, versionFree;
    final MethodHandle coreCreate, coreFree, availableDevices, availableDevicesFree, coreGetProperty, readModel;
    final MethodHandle modelFree, inputsSize, outputsSize, inputByIndex, outputByIndex, reshape;
    final MethodHandle portName, portType, portShape, portFree, partialShapeFree;
    final MethodHandle compiledFree, compiledGetProperty, createInferRequest;
    final MethodHandle tensorFromHostPtr, tensorFree, setTensor, infer, requestFree;

    private OpenVinoRuntime(Path library) {
        this.library = library;
        this.lookup = SymbolLookup.libraryLookup(library, Arena.global());
        errorInfo = handle("ov_get_error_info", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        lastErrorMessage = lookup.find("ov_get_last_err_msg").isPresent() // since 2024.x
                ? handle("ov_get_last_err_msg", FunctionDescriptor.of(ADDRESS))
                : null;
        free = handle("ov_free", FunctionDescriptor.ofVoid(ADDRESS));
        version = handle("ov_get_openvino_version", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        versionFree = handle("ov_version_free", FunctionDescriptor.ofVoid(ADDRESS));
        coreCreate = handle("ov_core_create", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        coreFree = handle("ov_core_free", FunctionDescriptor.ofVoid(ADDRESS));
        availableDevices = handle("ov_core_get_available_devices", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        availableDevicesFree = handle("ov_available_devices_free", FunctionDescriptor.ofVoid(ADDRESS));
        coreGetProperty =
                handle("ov_core_get_property", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        readModel = handle("ov_core_read_model", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        modelFree = handle("ov_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        inputsSize = handle("ov_model_inputs_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        outputsSize = handle("ov_model_outputs_size", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        inputByIndex =
                handle("ov_model_const_input_by_index", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
        outputByIndex =
                handle("ov_model_const_output_by_index", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
        reshape = handle("ov_model_reshape", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
        portName = handle("ov_port_get_any_name", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        portType = handle("ov_port_get_element_type", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        portShape = handle("ov_port_get_partial_shape", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        portFree = handle("ov_output_const_port_free", FunctionDescriptor.ofVoid(ADDRESS));
        partialShapeFree = handle("ov_partial_shape_free", FunctionDescriptor.ofVoid(ADDRESS));
        compiledFree = handle("ov_compiled_model_free", FunctionDescriptor.ofVoid(ADDRESS));
        compiledGetProperty =
                handle("ov_compiled_model_get_property", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        createInferRequest =
                handle("ov_compiled_model_create_infer_request", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        tensorFromHostPtr = handle(
                "ov_tensor_create_from_host_ptr", FunctionDescriptor.of(JAVA_INT, JAVA_INT, SHAPE, ADDRESS, ADDRESS));
        tensorFree = handle("ov_tensor_free", FunctionDescriptor.ofVoid(ADDRESS));
        setTensor = handle("ov_infer_request_set_tensor", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        infer = handle("ov_infer_request_infer", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        requestFree = handle("ov_infer_request_free", FunctionDescriptor.ofVoid(ADDRESS));
    }

    private static final Map<Path, OpenVinoRuntime> LOADED = new ConcurrentHashMap<>();

    /** Loads the library found by {@link OpenVinoLibrary#locate}; throws, naming where it looked, when there is none. */
    public static OpenVinoRuntime load(Optional<String> configured) {
        String ld = System.getenv("LD_LIBRARY_PATH");
        Path found = OpenVinoLibrary.locate(configured, ld)
                .orElseThrow(() -> new IllegalStateException(OpenVinoLibrary.searched(configured, ld)));
        return LOADED.computeIfAbsent(found.toAbsolutePath().normalize(), OpenVinoRuntime::open);
    }

    private static OpenVinoRuntime open(Path library) {
        try {
            return new OpenVinoRuntime(library);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(
                    library + " cannot be loaded as the OpenVINO C library: " + e.getMessage(), e);
        }
    }

    public Path library() {
        return library;
    }

    /** OpenVINO's build number, e.g. 2025.4.0-20398-... */
    public String version() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment v = arena.allocate(ADDRESS, 2);
            check("ov_get_openvino_version", (int) version.invokeExact(v));
            String build = v.getAtIndex(ADDRESS, 0).reinterpret(Long.MAX_VALUE).getString(0);
            versionFree.invokeExact(v);
            return build;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public OvCore createCore() {
        return new OvCore(this);
    }

    MethodHandle compileModel(int properties) {
        return compileByProperties.computeIfAbsent(properties, n -> {
            MemoryLayout[] args = new MemoryLayout[5 + 2 * n];
            args[0] = ADDRESS;
            args[1] = ADDRESS;
            args[2] = ADDRESS;
            args[3] = JAVA_LONG;
            args[4] = ADDRESS;
            for (int i = 5; i < args.length; i++) {
                args[i] = ADDRESS;
            }
            return linker.downcallHandle(
                    find("ov_core_compile_model"),
                    FunctionDescriptor.of(JAVA_INT, args),
                    Linker.Option.firstVariadicArg(5));
        });
    }

    /** Throws an OpenVinoException with OpenVINO's message unless status is OK (0). */
    void check(String call, int status) {
        if (status == 0) {
            return;
        }
        String message;
        try {
            MemorySegment last =
                    lastErrorMessage == null ? MemorySegment.NULL : (MemorySegment) lastErrorMessage.invokeExact();
            String text = last.equals(MemorySegment.NULL)
                    ? ""
                    : last.reinterpret(Long.MAX_VALUE).getString(0);
            MemorySegment info = (MemorySegment) errorInfo.invokeExact(status);
            String kind = info.equals(MemorySegment.NULL)
                    ? ""
                    : info.reinterpret(Long.MAX_VALUE).getString(0);
            message = text.isBlank() ? kind : kind + ": " + text.strip();
        } catch (Throwable t) {
            message = "(no message: " + t + ")";
        }
        throw new OpenVinoException(call, status, message);
    }

    /** Calls an ov_*_free function on a handle (each handle is released once: callers forget it after). */
    void release(MethodHandle free, MemorySegment handle) {
        try {
            free.invokeExact(handle);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A string OpenVINO allocated, read and then given back with ov_free. */
    String takeString(MemorySegment pointer) throws Throwable {
        MemorySegment s = pointer.reinterpret(Long.MAX_VALUE);
        String value = s.getString(0);
        free.invokeExact(pointer);
        return value;
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(t);
    }

    private MemorySegment find(String name) {
        return lookup.find(name).orElseThrow(() -> new IllegalArgumentException("symbol " + name + " is missing"));
    }

    private MethodHandle handle(String name, FunctionDescriptor descriptor) {
        return linker.downcallHandle(find(name), descriptor);
    }
}
