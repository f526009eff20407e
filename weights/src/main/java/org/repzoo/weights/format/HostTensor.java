package org.repzoo.weights.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** A tensor held in memory: little-endian C-order bytes. What the writers take and what tests build. */
public record HostTensor(DType dtype, long[] shape, ByteBuffer data) implements StoredTensor {

    public HostTensor {
        shape = shape.clone();
        long bytes = Shapes.numel(shape) * dtype.width();
        if (data.remaining() != bytes) {
            throw new IllegalArgumentException("tensor of shape " + Arrays.toString(shape) + " and type " + dtype
                    + " needs " + bytes + " bytes, got " + data.remaining());
        }
        data = data.slice().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A float32 tensor from values in C order. */
    public static HostTensor ofFloats(long[] shape, float... values) {
        ByteBuffer data = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        data.asFloatBuffer().put(values);
        return new HostTensor(DType.F32, shape, data);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public ByteBuffer read() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }
}
