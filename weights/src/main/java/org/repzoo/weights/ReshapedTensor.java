package org.repzoo.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.repzoo.weights.format.DType;
import org.repzoo.weights.format.Shapes;
import org.repzoo.weights.format.StoredTensor;

/** The same C-order data under another shape of equal size (a view: nothing is read until asked). */
record ReshapedTensor(StoredTensor source, long[] shape) implements StoredTensor {

    ReshapedTensor {
        if (Shapes.numel(shape) != source.numel()) {
            throw new IllegalArgumentException("cannot view " + Arrays.toString(source.shape()) + " as " + Arrays.toString(shape));
        }
        shape = shape.clone();
    }

    @Override
    public DType dtype() {
        return source.dtype();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public ByteBuffer read() throws IOException {
        return source.read();
    }
}
