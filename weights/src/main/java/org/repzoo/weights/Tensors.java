package org.repzoo.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.weights.format.DType;
import org.repzoo.weights.format.HostTensor;
import org.repzoo.weights.format.StoredTensor;

/**
 * Checkpoint tensors to and from ND4J arrays. Weights become float32 (the graphs' type): float16 and bfloat16 widen
 * exactly, float64 rounds to nearest.
 */
public final class Tensors {

    private Tensors() {
    }

    /** The tensor as a float32 C-order array of its shape; integer tensors are refused (they are not weights). */
    public static INDArray toFloatArray(StoredTensor tensor, String key) throws IOException {
        DType type = tensor.dtype();
        if (!type.isFloatingPoint()) {
            throw new IllegalArgumentException("tensor '" + key + "' has type " + type + ": weights must be floating point");
        }
        ByteBuffer bytes = tensor.read().order(ByteOrder.LITTLE_ENDIAN);
        long[] shape = tensor.shape();
        INDArray array = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        FloatBuffer target = array.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer();
        switch (type) {
            case F32 -> target.put(bytes.asFloatBuffer());
            case F64 -> {
                var source = bytes.asDoubleBuffer();
                while (source.hasRemaining()) {
                    target.put((float) source.get());
                }
            }
            case F16 -> {
                var source = bytes.asShortBuffer();
                while (source.hasRemaining()) {
                    target.put(halfToFloat(source.get()));
                }
            }
            case BF16 -> {
                var source = bytes.asShortBuffer();
                while (source.hasRemaining()) {
                    target.put(Float.intBitsToFloat((source.get() & 0xffff) << 16));
                }
            }
            default -> throw new AssertionError(type);
        }
        return array;
    }

    /**
     * Copies a float32 tensor's bytes straight into a parameter view when the view's memory order is the tensor's:
     * a dense C-order view (convolutions, BatchNorm), or, for a linear layer, DL4J's F-order {@code [in, out]} view,
     * whose memory is PyTorch's C-order {@code [out, in]}. Returns false (nothing done) otherwise.
     */
    static boolean copyInto(StoredTensor tensor, INDArray target, char order) throws IOException {
        if (tensor.dtype() != DType.F32 || target.dataType() != DataType.FLOAT || target.length() != tensor.numel()
                || !dense(target, order)) {
            return false;
        }
        ByteBuffer bytes = tensor.read().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer buffer = target.data().asNio().order(ByteOrder.nativeOrder());
        FloatBuffer view = buffer.asFloatBuffer();
        view.position(Math.toIntExact(target.offset()));
        view.put(bytes.asFloatBuffer());
        return true;
    }

    /** Whether the array's elements are contiguous in the given order (strides of a fresh array of its shape). */
    private static boolean dense(INDArray array, char order) {
        long[] shape = array.shape();
        long[] stride = array.stride();
        long expected = 1;
        for (int k = 0; k < shape.length; k++) {
            int i = order == 'c' ? shape.length - 1 - k : k;
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    /** A float32 host copy of an array (C order), for writing in PyTorch layout. */
    public static HostTensor fromArray(INDArray array) {
        INDArray data = array.castTo(DataType.FLOAT).dup('c');
        ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(data.length() * 4)).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(data.data().asNio().order(ByteOrder.nativeOrder()).asFloatBuffer());
        return new HostTensor(DType.F32, array.shape(), bytes);
    }

    /** IEEE 754 binary16 to float, exactly (Java 17 has no Float.float16ToFloat). */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f; // subnormal: mantissa * 2^-24, exact in float
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
