package dev.tandem.device.openvino;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HashMap;
import java.util.Map;

/**
 * ov_infer_request_t, made once per compiled model and reused for every step. Inputs and outputs
 * are tensors over the caller's host memory (ov_tensor_create_from_host_ptr): OpenVINO reads and
 * writes that memory directly, nothing is copied in or out. The memory must stay valid until the
 * next {@link #setTensor} of that name or {@link #close}.
 */
public final class OvInferRequest extends OvObject {
    private final Arena names = Arena.ofConfined();
    private final Map<String, MemorySegment> nameStrings = new HashMap<>();
    private final MemorySegment shapeDims = names.allocate(JAVA_LONG, 8);
    private final MemorySegment shape = names.allocate(OpenVinoRuntime.SHAPE);
    private final MemorySegment tensorOut = names.allocate(ADDRESS);

    OvInferRequest(OpenVinoRuntime ov, MemorySegment handle) {
        super(ov, handle, ov.requestFree, "infer request");
    }

    /** Binds name to a tensor of that type and shape over data (at least as many bytes as the shape needs). */
    public void setTensor(String name, ElementType type, long[] dims, MemorySegment data) {
        long elements = 1;
        for (long d : dims) {
            elements *= d;
        }
        if (data.byteSize() < elements * type.bytes()) {
            throw new IllegalArgumentException(
                    name + ": " + data.byteSize() + " bytes cannot hold " + elements + " " + type);
        }
        shape.set(JAVA_LONG, 0, dims.length);
        for (int d = 0; d < dims.length; d++) {
            shapeDims.setAtIndex(JAVA_LONG, d, dims[d]);
        }
        shape.set(ADDRESS, 8, shapeDims);
        MemorySegment tensorName = nameStrings.computeIfAbsent(name, names::allocateFrom);
        try {
            ov.check("ov_tensor_create_from_host_ptr(" + name + ")", (int)
                    ov.tensorFromHostPtr.invokeExact(type.code, shape, data, tensorOut));
            MemorySegment tensor = tensorOut.get(ADDRESS, 0);
            try {
                ov.check("ov_infer_request_set_tensor(" + name + ")", (int)
                        ov.setTensor.invokeExact(handle(), tensorName, tensor));
            } finally {
                ov.tensorFree.invokeExact(tensor); // the request holds its own reference
            }
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }

    public void infer() {
        try {
            ov.check("ov_infer_request_infer", (int) ov.infer.invokeExact(handle()));
        } catch (Throwable t) {
            throw OpenVinoRuntime.rethrow(t);
        }
    }

    @Override
    void released() {
        names.close();
    }
}
