package org.repzoo.weights.format;

import java.io.IOException;
import java.nio.ByteBuffer;

/** A tensor of a checkpoint: its type and shape are known when the file is opened; its data is read on demand. */
public interface StoredTensor {

    DType dtype();

    /** PyTorch/NumPy shape; empty for a scalar. */
    long[] shape();

    /**
     * The elements in C order as little-endian bytes, exactly {@code numel * width} of them, in a buffer of its own
     * (position 0, little-endian byte order).
     */
    ByteBuffer read() throws IOException;

    /** Number of elements (1 for a scalar). */
    default long numel() {
        return Shapes.numel(shape());
    }
}
