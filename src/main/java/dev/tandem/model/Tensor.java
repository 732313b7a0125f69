package dev.tandem.model;

import dev.tandem.kernels.TensorFormat;
import dev.tandem.kernels.WeightMatrix;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/** A named tensor viewed in place in a mapped checkpoint file. */
public record Tensor(String name, DType dtype, long[] shape, MemorySegment data) {

    public long numElements() {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return n;
    }

    /** A 2-D floating-point tensor as a weight matrix, checked against the expected shape. */
    public WeightMatrix asMatrix(int rows, int cols) {
        expectShape(rows, cols);
        return new WeightMatrix(data, dtype.weightFormat(name), rows, cols);
    }

    /** Copies a small floating-point tensor (a norm weight or a bias) to f32 on the heap. */
    public float[] toFloats(long... expectedShape) {
        expectShape(expectedShape);
        TensorFormat format = dtype.weightFormat(name);
        float[] out = new float[Math.toIntExact(numElements())];
        for (int i = 0; i < out.length; i++) {
            out[i] = format.read(data, i);
        }
        return out;
    }

    /** Integer tensor contents (I64 or I32), e.g. token ids in reference fixtures. */
    public long[] toLongs() {
        long[] out = new long[Math.toIntExact(numElements())];
        for (int i = 0; i < out.length; i++) {
            out[i] = switch (dtype) {
                case I64 -> data.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
                case I32 -> data.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
                default -> throw new IllegalArgumentException("tensor " + name + " is " + dtype + ", expected I64/I32");
            };
        }
        return out;
    }

    public void expectShape(long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new IllegalArgumentException("tensor " + name + " has shape " + Arrays.toString(shape) + ", expected "
                    + Arrays.toString(expected));
        }
    }

    public void expectShape(int rows, int cols) {
        expectShape(new long[] {rows, cols});
    }
}
