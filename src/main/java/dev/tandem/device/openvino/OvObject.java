package dev.tandem.device.openvino;

import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * An OpenVINO object this process owns: its handle, handed to every call on it, and given back
 * once, with its own free function, on close. A call after close says which object was closed
 * instead of passing OpenVINO a null handle.
 */
abstract class OvObject implements AutoCloseable {
    final OpenVinoRuntime ov;
    private final MethodHandle free;
    private final String kind;
    private MemorySegment handle;

    OvObject(OpenVinoRuntime ov, MemorySegment handle, MethodHandle free, String kind) {
        this.ov = ov;
        this.handle = handle;
        this.free = free;
        this.kind = kind;
    }

    final MemorySegment handle() {
        if (handle == null) {
            throw new IllegalStateException("the " + kind + " was closed");
        }
        return handle;
    }

    @Override
    public void close() {
        if (handle != null) {
            ov.release(free, handle);
            handle = null;
            released();
        }
    }

    /** What a subclass frees of its own once OpenVINO's object is gone. */
    void released() {}
}
