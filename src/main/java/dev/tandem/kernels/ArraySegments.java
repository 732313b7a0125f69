package dev.tandem.kernels;

import java.lang.foreign.MemorySegment;

/**
 * Heap segments over the few arrays that a forward pass passes to native kernels again and again
 * (its activation and output buffers), made once per array, so that a step allocates nothing. A
 * small cache searched by identity; the least recently made entry gives way.
 */
final class ArraySegments {
    private final float[][] arrays;
    private final MemorySegment[] segments;
    private int next;

    ArraySegments(int capacity) {
        arrays = new float[capacity][];
        segments = new MemorySegment[capacity];
    }

    MemorySegment of(float[] array) {
        for (int i = 0; i < arrays.length; i++) {
            if (arrays[i] == array) {
                return segments[i];
            }
        }
        arrays[next] = array;
        segments[next] = MemorySegment.ofArray(array);
        MemorySegment made = segments[next];
        next = (next + 1) % arrays.length;
        return made;
    }
}
