package dev.tandem.device.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** ov_model_t: a read model's inputs and outputs, and reshaping its inputs (to static shapes for the NPU). */
public final class OvModel extends OvObject {

    OvModel(OpenVinoRuntime ov, MemorySegment handle) {
        super(ov, handle, ov.modelFree, "model");
    }

    public List<PortInfo> inputs() {
        return ports(true);
    }

    public List<PortInfo> outputs() {
        return ports(false);
    }

    private List<PortInfo> ports(boolean inputs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_LONG);
            String sizeCall = inputs ? "ov_model_inputs_size" : "ov_model_outputs_size";
            ov.check(sizeCall, (int) (inputs ? ov.inputsSize : ov.outputsSize).invokeExact(handle(), count));
            MethodHandle byIndex = inputs ? ov.inputByIndex : ov.outputByIndex;
            List<PortInfo> out = new ArrayList<>();
            for (long i = 0; i < count.get(JAVA_LONG, 0); i++) {
                MemorySegment portOut = arena.allocate(ADDRESS);
                ov.check(inputs ? "ov_model_const_input_by_index" : "ov_model_const_output_by_index", (int)
                        byIndex.invokeExact(handle(), i, portOut));
                MemorySegment port = portOut.get(ADDRESS, 0);
                try {
                    out.add(describe(arena, port));
                } finally {
                    ov.portFree.invokeExact(port);
                }
            }
            return out;
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }

    private PortInfo describe(Arena arena, MemorySegment port) throws Throwable {
        MemorySegment name = arena.allocate(ADDRESS);
        ov.check("ov_port_get_any_name", (int) ov.portName.invokeExact(port, name));
        String tensorName = ov.takeString(name.get(ADDRESS, 0));
        MemorySegment type = arena.allocate(JAVA_INT);
        ov.check("ov_port_get_element_type", (int) ov.portType.invokeExact(port, type));
        MemorySegment shape = arena.allocate(OpenVinoRuntime.PARTIAL_SHAPE);
        ov.check("ov_port_get_partial_shape", (int) ov.portShape.invokeExact(port, shape));
        long rank = shape.get(JAVA_LONG, 8);
        if (rank < 0) {
            ov.partialShapeFree.invokeExact(shape);
            throw new IllegalStateException(
                    "input/output " + tensorName + " has a dynamic rank; Tandem needs a known rank");
        }
        MemorySegment dims = shape.get(ADDRESS, 16).reinterpret(rank * 16);
        long[] out = new long[(int) rank];
        for (int d = 0; d < rank; d++) {
            long min = dims.get(JAVA_LONG, d * 16L), max = dims.get(JAVA_LONG, d * 16L + 8);
            out[d] = max < 0 || min != max ? -1 : max;
        }
        ov.partialShapeFree.invokeExact(shape);
        return new PortInfo(tensorName, ElementType.of(type.get(JAVA_INT, 0)), out);
    }

    /** Gives these inputs new shapes (each dimension static, or -1 for dynamic), all at once. */
    public void reshape(Map<String, long[]> shapes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment names = arena.allocate(ADDRESS, shapes.size());
            MemorySegment partial = arena.allocate(OpenVinoRuntime.PARTIAL_SHAPE, shapes.size());
            int i = 0;
            for (Map.Entry<String, long[]> e : shapes.entrySet()) {
                long[] dims = e.getValue();
                names.setAtIndex(ADDRESS, i, arena.allocateFrom(e.getKey()));
                MemorySegment d = arena.allocate(16L * dims.length, 8);
                for (int k = 0; k < dims.length; k++) {
                    d.set(JAVA_LONG, 16L * k, dims[k] < 0 ? 0 : dims[k]);
                    d.set(JAVA_LONG, 16L * k + 8, dims[k]);
                }
                long at = i * OpenVinoRuntime.PARTIAL_SHAPE.byteSize();
                partial.set(JAVA_LONG, at, dims.length);
                partial.set(JAVA_LONG, at + 8, dims.length);
                partial.set(ADDRESS, at + 16, d);
                i++;
            }
            ov.check("ov_model_reshape", (int) ov.reshape.invokeExact(handle(), names, partial, (long) shapes.size()));
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }
}
