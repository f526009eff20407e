package org.repzoo.weights.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A tensor of a {@code torch.save} checkpoint: a strided view ({@code size}, {@code stride}, element {@code offset})
 * of a storage. A C-contiguous view is read in one bulk read of exactly its bytes; any other view reads the span of
 * storage it covers and gathers it into C order.
 */
final class TorchTensor implements StoredTensor {

    private final Path file;
    private final String key;
    private final DType dtype;
    private final long[] shape;
    private final long[] stride;
    /** Element index of the first element in the storage data. */
    private final long offset;
    /** Storage index of the last element. */
    private final long lastIndex;
    private final TorchStorage storage;
    private final boolean bigEndian;

    /** Checks the sizes RepZoo can hold; bounds within the storage were checked when the pickle was read. */
    TorchTensor(Path file, String key, DType dtype, long[] shape, long[] stride, long offset, long lastIndex,
                TorchStorage storage, boolean bigEndian) throws CheckpointException {
        this.file = file;
        this.key = key;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.stride = stride.clone();
        this.offset = offset;
        this.lastIndex = lastIndex;
        this.storage = storage;
        this.bigEndian = bigEndian;
        long numel = Shapes.numel(shape);
        if (numel > Shapes.MAX_TENSOR_BYTES / dtype.width()) {
            throw new CheckpointException(file, "tensor '" + RestrictedUnpickler.printable(key) + "' of shape "
                    + Arrays.toString(shape) + " is larger than the " + Shapes.MAX_TENSOR_BYTES
                    + " bytes RepZoo reads in one tensor");
        }
        if (numel > 0 && !isContiguous() && lastIndex - offset + 1 > Shapes.MAX_TENSOR_BYTES / dtype.width()) {
            throw new CheckpointException(file, "tensor '" + RestrictedUnpickler.printable(key) + "' is a strided "
                    + "view spanning more than " + Shapes.MAX_TENSOR_BYTES + " bytes of its storage");
        }
    }

    @Override
    public DType dtype() {
        return dtype;
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public ByteBuffer read() throws CheckpointException {
        try {
            int width = dtype.width();
            byte[] out = new byte[Math.toIntExact(Shapes.numel(shape) * width)];
            if (out.length > 0) {
                if (isContiguous()) {
                    storage.read(offset * width, out, out.length);
                } else {
                    byte[] span = new byte[Math.toIntExact((lastIndex - offset + 1) * width)];
                    storage.read(offset * width, span, span.length);
                    gather(span, out, width);
                }
                if (bigEndian && width > 1) {
                    swapBytes(out, width);
                }
            }
            return ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        } catch (RuntimeException e) {
            throw new CheckpointException(file, "internal error reading tensor '" + RestrictedUnpickler.printable(key)
                    + "' (a RepZoo bug): " + e, e);
        }
    }

    /** C-contiguous once size-1 dimensions (whose stride is irrelevant) are ignored. */
    private boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1) {
                if (stride[i] != expected) {
                    return false;
                }
                expected *= shape[i];
            }
        }
        return true;
    }

    /** Copies the view's elements from {@code span} (storage elements from {@code offset}) into C order. */
    private void gather(byte[] span, byte[] out, int width) {
        // Merge dimensions that step through memory as one, so each innermost run is as long as possible.
        long[] sizes = new long[shape.length];
        long[] strides = new long[shape.length];
        int dims = 0;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 1) {
                continue;
            }
            if (dims > 0 && strides[dims - 1] == stride[i] * shape[i]) {
                sizes[dims - 1] *= shape[i];
                strides[dims - 1] = stride[i];
            } else {
                sizes[dims] = shape[i];
                strides[dims] = stride[i];
                dims++;
            }
        }
        int inner = dims - 1;
        int innerSize = (int) sizes[inner];
        int innerStep = (int) strides[inner] * width;
        int rowBytes = innerSize * width;
        long[] counter = new long[dims];
        long base = 0;
        for (int at = 0; at < out.length; at += rowBytes) {
            int from = (int) (base * width);
            if (innerStep == width) {
                System.arraycopy(span, from, out, at, rowBytes);
            } else {
                int to = at;
                for (int j = 0; j < innerSize; j++, from += innerStep) {
                    for (int b = 0; b < width; b++) {
                        out[to++] = span[from + b];
                    }
                }
            }
            for (int d = inner - 1; d >= 0; d--) {
                base += strides[d];
                if (++counter[d] < sizes[d]) {
                    break;
                }
                base -= strides[d] * sizes[d];
                counter[d] = 0;
            }
        }
    }

    private static void swapBytes(byte[] data, int width) {
        for (int at = 0; at < data.length; at += width) {
            for (int i = 0, j = width - 1; i < j; i++, j--) {
                byte b = data[at + i];
                data[at + i] = data[at + j];
                data[at + j] = b;
            }
        }
    }
}
