package org.repzoo.deploy.onnx;

import com.google.protobuf.ByteString;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.deploy.onnx.proto.Onnx.AttributeProto;
import org.repzoo.deploy.onnx.proto.Onnx.GraphProto;
import org.repzoo.deploy.onnx.proto.Onnx.NodeProto;
import org.repzoo.deploy.onnx.proto.Onnx.TensorProto;

/**
 * Collects the nodes and initializers of one ONNX graph as the exporter walks a DL4J graph: every name is checked to
 * be new (ONNX values are assigned once), tensors are stored as little-endian {@code raw_data}, and node attributes
 * are built with their types set.
 */
final class OnnxGraphWriter {

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> values = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();

    OnnxGraphWriter(String name) {
        graph.setName(name);
    }

    GraphProto.Builder graph() {
        return graph;
    }

    /** Whether a value of that name exists (a graph input, an initializer or a node output). */
    boolean hasValue(String name) {
        return values.contains(name);
    }

    void declareInput(String name) {
        claim(name);
    }

    /** Adds a node {@code opType} named {@code name} computing {@code output} from {@code inputs}. */
    void node(String opType, String name, List<String> inputs, String output, AttributeProto... attributes) {
        for (String input : inputs) {
            if (!values.contains(input)) {
                throw new IllegalStateException("node " + name + " reads " + input + ", which nothing produced");
            }
        }
        if (!nodeNames.add(name)) {
            throw new IllegalStateException("two ONNX nodes named " + name);
        }
        claim(output);
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(opType).setName(name).addAllInput(inputs)
                .addOutput(output);
        for (AttributeProto attribute : attributes) {
            node.addAttribute(attribute);
        }
        graph.addNode(node);
    }

    /** A float32 initializer holding {@code array} (any order; written row-major) with the given dims. */
    String floats(String name, INDArray array, long... dims) {
        long count = 1;
        for (long d : dims) {
            count *= d;
        }
        if (count != array.length()) {
            throw new IllegalStateException(name + ": " + array.length() + " values for dims " + java.util.Arrays
                    .toString(dims));
        }
        return tensor(name, TensorProto.DataType.FLOAT, dims, floatBytes(array));
    }

    /** A float32 initializer from Java values. */
    String floats(String name, float[] values, long... dims) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return tensor(name, TensorProto.DataType.FLOAT, dims, ByteString.copyFrom(bytes));
    }

    /** An int64 initializer (shapes, pads, axes). */
    String int64s(String name, long... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asLongBuffer().put(values);
        return tensor(name, TensorProto.DataType.INT64, new long[] {values.length}, ByteString.copyFrom(bytes));
    }

    private String tensor(String name, TensorProto.DataType type, long[] dims, ByteString data) {
        claim(name);
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setRawData(data);
        for (long d : dims) {
            tensor.addDims(d);
        }
        graph.addInitializer(tensor);
        return name;
    }

    /**
     * The array's values as little-endian float32 bytes. A view or a column-major array is laid out row-major first
     * (a native copy); the bytes are then copied once from native memory into the tensor.
     */
    private static ByteString floatBytes(INDArray array) {
        INDArray floats = array.dataType() == DataType.FLOAT ? array : array.castTo(DataType.FLOAT);
        INDArray rowMajor = floats.isView() || floats.ordering() != 'c' || floats.offset() != 0 ? floats.dup('c') : floats;
        try {
            ByteBuffer bytes = rowMajor.data().asNio().duplicate().order(ByteOrder.nativeOrder());
            bytes.limit(Math.toIntExact(rowMajor.length() * Float.BYTES));
            if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
                return ByteString.copyFrom(bytes);
            }
            ByteBuffer little = ByteBuffer.allocate(bytes.remaining()).order(ByteOrder.LITTLE_ENDIAN);
            little.asFloatBuffer().put(bytes.asFloatBuffer());
            return ByteString.copyFrom(little);
        } finally {
            // The buffer points into the array's native memory, which the array's collection would free.
            Reference.reachabilityFence(rowMajor);
        }
    }

    private void claim(String name) {
        if (!values.add(name)) {
            throw new IllegalStateException("two ONNX values named " + name);
        }
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name)
                .setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            attribute.addInts(v);
        }
        return attribute.build();
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, double value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT)
                .setF((float) value).build();
    }

    static AttributeProto string(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }

    static List<String> inputs(String... names) {
        return new ArrayList<>(List.of(names));
    }
}
