package org.repzoo.deploy.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;
import org.repzoo.deploy.onnx.proto.Onnx.GraphProto;
import org.repzoo.deploy.onnx.proto.Onnx.TensorProto;

/** Reading and making ONNX tensors (initializers) of the types RepZoo writes: float32, int8, uint8, int32, int64. */
public final class OnnxTensors {

    private OnnxTensors() {
    }

    /** A float32 tensor's values, from {@code raw_data} (little-endian) or {@code float_data}. */
    public static float[] floats(TensorProto tensor) {
        if (tensor.getDataType() != TensorProto.DataType.FLOAT.getNumber()) {
            throw new IllegalArgumentException("tensor " + tensor.getName() + " is not float32 (data type "
                    + tensor.getDataType() + ")");
        }
        if (tensor.hasRawData()) {
            ByteBuffer bytes = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[bytes.remaining() / Float.BYTES];
            bytes.asFloatBuffer().get(values);
            return values;
        }
        float[] values = new float[tensor.getFloatDataCount()];
        for (int i = 0; i < values.length; i++) {
            values[i] = tensor.getFloatData(i);
        }
        return values;
    }

    /** The number of elements its dims describe. */
    public static long count(TensorProto tensor) {
        long count = 1;
        for (long d : tensor.getDimsList()) {
            count *= d;
        }
        return count;
    }

    public static TensorProto floats(String name, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return tensor(name, TensorProto.DataType.FLOAT, dims, bytes.array());
    }

    /** Signed (INT8) or unsigned (UINT8) bytes; values are taken as they come (-128..127 or 0..255). */
    public static TensorProto bytes(String name, TensorProto.DataType type, int[] values, long... dims) {
        if (type != TensorProto.DataType.INT8 && type != TensorProto.DataType.UINT8) {
            throw new IllegalArgumentException("bytes are INT8 or UINT8, not " + type);
        }
        byte[] data = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            data[i] = (byte) values[i];
        }
        return tensor(name, type, dims, data);
    }

    public static TensorProto int32s(String name, int[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asIntBuffer().put(values);
        return tensor(name, TensorProto.DataType.INT32, dims, bytes.array());
    }

    /** The values of an INT8, UINT8 or INT32 tensor (stored as {@code raw_data}). */
    public static int[] integers(TensorProto tensor) {
        ByteBuffer bytes = tensor.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        if (tensor.getDataType() == TensorProto.DataType.INT32.getNumber()) {
            int[] values = new int[bytes.remaining() / Integer.BYTES];
            bytes.asIntBuffer().get(values);
            return values;
        }
        int[] values = new int[bytes.remaining()];
        boolean unsigned = tensor.getDataType() == TensorProto.DataType.UINT8.getNumber();
        for (int i = 0; i < values.length; i++) {
            byte b = bytes.get(i);
            values[i] = unsigned ? b & 0xFF : b;
        }
        return values;
    }

    private static TensorProto tensor(String name, TensorProto.DataType type, long[] dims, byte[] data) {
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(ByteString.copyFrom(data));
        for (long d : dims) {
            tensor.addDims(d);
        }
        return tensor.build();
    }

    /** A row-major {@code rows x columns} matrix transposed. */
    public static float[] transpose(float[] m, int rows, int columns) {
        float[] t = new float[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                t[c * rows + r] = m[r * columns + c];
            }
        }
        return t;
    }

    /** The same for integers. */
    public static int[] transpose(int[] m, int rows, int columns) {
        int[] t = new int[m.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                t[c * rows + r] = m[r * columns + c];
            }
        }
        return t;
    }

    /** The graph's initializers by name. */
    public static Map<String, TensorProto> initializers(GraphProto graph) {
        Map<String, TensorProto> byName = new HashMap<>();
        for (TensorProto tensor : graph.getInitializerList()) {
            byName.put(tensor.getName(), tensor);
        }
        return byName;
    }
}
