package org.repzoo.deploy.quantize;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.repzoo.deploy.onnx.OnnxTensors;
import org.repzoo.deploy.onnx.proto.Onnx.AttributeProto;
import org.repzoo.deploy.onnx.proto.Onnx.GraphProto;
import org.repzoo.deploy.onnx.proto.Onnx.ModelProto;
import org.repzoo.deploy.onnx.proto.Onnx.NodeProto;
import org.repzoo.deploy.onnx.proto.Onnx.TensorProto;

/**
 * Rewrites a float ONNX graph into ONNX's QDQ form: each quantized activation gets a {@code QuantizeLinear} →
 * {@code DequantizeLinear} pair (uint8, shared by all its readers), each quantized convolution or linear layer reads
 * its weight through a {@code DequantizeLinear} of int8 values (per output channel or per tensor) and its bias through
 * one of int32 values at the scale input scale times weight scale. ONNX Runtime recognises "dequantize → convolution
 * → quantize" and runs it as one integer convolution (its {@code QLinearConv}); the file stores the weights as int8.
 */
final class QdqRewriter {

    /** Operators whose activation inputs are quantized (their weights too, for Conv and Gemm). */
    static final Set<String> QUANTIZED_OPERATORS = Set.of("Conv", "Gemm", "Add", "MaxPool", "AveragePool",
            "GlobalAveragePool", "Concat");

    /** How weights are quantized. */
    enum Weights { PER_CHANNEL, PER_TENSOR }

    private final Map<String, TensorProto> initializers;
    private final Map<String, LinearQuantization.Parameters> activations;
    private final Weights weights;
    private final Set<String> quantizedNodes;
    private final GraphProto.Builder graph;
    private final Set<String> quantizedTensors = new HashSet<>();
    private final Set<String> replacedInitializers = new HashSet<>();

    private QdqRewriter(GraphProto source, Map<String, LinearQuantization.Parameters> activations, Weights weights,
                        Set<String> quantizedNodes) {
        this.initializers = OnnxTensors.initializers(source);
        this.activations = activations;
        this.weights = weights;
        this.quantizedNodes = quantizedNodes;
        this.graph = source.toBuilder().clearNode();
    }

    /**
     * The QDQ form of {@code model}: {@code quantizedNodes} (by name) are quantized, with the activation parameters
     * {@code activations} for every activation tensor they read.
     */
    static ModelProto rewrite(ModelProto model, Map<String, LinearQuantization.Parameters> activations,
                              Weights weights, Set<String> quantizedNodes) {
        QdqRewriter rewriter = new QdqRewriter(model.getGraph(), activations, weights, quantizedNodes);
        for (NodeProto node : model.getGraph().getNodeList()) {
            rewriter.add(node);
        }
        List<TensorProto> kept = new ArrayList<>();
        for (TensorProto tensor : rewriter.graph.getInitializerList()) {
            if (!rewriter.replacedInitializers.contains(tensor.getName())) {
                kept.add(tensor);
            }
        }
        rewriter.graph.clearInitializer().addAllInitializer(kept);
        return model.toBuilder().setGraph(rewriter.graph).build();
    }

    /** The activation tensors {@code node} reads that a quantized node would quantize. */
    static List<String> activationInputs(NodeProto node, Map<String, TensorProto> initializers) {
        List<String> inputs = new ArrayList<>();
        int count = node.getOpType().equals("Conv") || node.getOpType().equals("Gemm") ? 1 : node.getInputCount();
        for (int i = 0; i < count; i++) {
            if (!initializers.containsKey(node.getInput(i))) {
                inputs.add(node.getInput(i));
            }
        }
        return inputs;
    }

    private void add(NodeProto node) {
        if (!quantizedNodes.contains(node.getName())) {
            graph.addNode(node);
            return;
        }
        NodeProto.Builder rewritten = node.toBuilder();
        int count = node.getOpType().equals("Conv") || node.getOpType().equals("Gemm") ? 1 : node.getInputCount();
        for (int i = 0; i < count; i++) {
            if (!initializers.containsKey(node.getInput(i))) {
                rewritten.setInput(i, dequantized(node.getInput(i)));
            }
        }
        if (node.getOpType().equals("Conv") || node.getOpType().equals("Gemm")) {
            int axis = node.getOpType().equals("Gemm") && attribute(node, "transB") == 0 ? 1 : 0;
            LinearQuantization.Parameters[] w = weight(node.getInput(1), axis);
            rewritten.setInput(1, node.getInput(1) + "/dequantized");
            if (node.getInputCount() > 2 && initializers.containsKey(node.getInput(2))) {
                bias(node.getInput(2), activations.get(node.getInput(0)).scale(), w);
                rewritten.setInput(2, node.getInput(2) + "/dequantized");
            }
        }
        graph.addNode(rewritten);
    }

    /** The dequantized copy of an activation tensor, made (a QuantizeLinear and a DequantizeLinear) on first use. */
    private String dequantized(String tensor) {
        String output = tensor + "/dequantized";
        if (quantizedTensors.add(tensor)) {
            LinearQuantization.Parameters p = activations.get(tensor);
            if (p == null) {
                throw new IllegalStateException("no calibrated range for " + tensor);
            }
            graph.addInitializer(OnnxTensors.floats(tensor + "/scale", new float[] {p.scale()}));
            graph.addInitializer(OnnxTensors.bytes(tensor + "/zero_point", TensorProto.DataType.UINT8,
                    new int[] {p.zeroPoint()}));
            graph.addNode(NodeProto.newBuilder().setOpType("QuantizeLinear").setName(tensor + "/quantize")
                    .addInput(tensor).addInput(tensor + "/scale").addInput(tensor + "/zero_point")
                    .addOutput(tensor + "/quantized"));
            graph.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(tensor + "/dequantize")
                    .addInput(tensor + "/quantized").addInput(tensor + "/scale").addInput(tensor + "/zero_point")
                    .addOutput(output));
        }
        return output;
    }

    /** An int8 weight and its DequantizeLinear (per channel along {@code axis}, or one scale repeated). */
    private LinearQuantization.Parameters[] weight(String name, int axis) {
        TensorProto tensor = initializers.get(name);
        if (tensor == null) {
            throw new IllegalArgumentException("weight " + name + " is not an initializer: only constant weights "
                    + "are quantized");
        }
        float[] values = OnnxTensors.floats(tensor);
        long[] dims = tensor.getDimsList().stream().mapToLong(Long::longValue).toArray();
        float[] channelMajor = axis == 0 ? values : OnnxTensors.transpose(values, (int) dims[0], (int) dims[1]);
        int channels = (int) dims[axis];
        LinearQuantization.Parameters[] parameters = weights == Weights.PER_CHANNEL
                ? LinearQuantization.perChannel(channelMajor, channels)
                : LinearQuantization.perTensor(channelMajor, channels);
        int[] quantized = LinearQuantization.quantizeWeight(channelMajor, parameters);
        int[] stored = axis == 0 ? quantized : OnnxTensors.transpose(quantized, channels, (int) dims[0]);
        float[] scales = new float[channels];
        for (int c = 0; c < channels; c++) {
            scales[c] = parameters[c].scale();
        }
        graph.addInitializer(OnnxTensors.bytes(name + "/quantized", TensorProto.DataType.INT8, stored, dims));
        graph.addInitializer(OnnxTensors.floats(name + "/scale", scales, channels));
        graph.addInitializer(OnnxTensors.bytes(name + "/zero_point", TensorProto.DataType.INT8, new int[channels],
                channels));
        graph.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(name + "/dequantize")
                .addInput(name + "/quantized").addInput(name + "/scale").addInput(name + "/zero_point")
                .addOutput(name + "/dequantized").addAttribute(AttributeProto.newBuilder().setName("axis")
                        .setType(AttributeProto.AttributeType.INT).setI(axis)));
        replacedInitializers.add(name);
        return parameters;
    }

    /** An int32 bias at scale input scale * weight scale, and its DequantizeLinear. */
    private void bias(String name, float inputScale, LinearQuantization.Parameters[] weight) {
        float[] values = OnnxTensors.floats(initializers.get(name));
        int[] quantized = LinearQuantization.quantizeBias(values, inputScale, weight);
        float[] scales = new float[values.length];
        for (int c = 0; c < values.length; c++) {
            scales[c] = inputScale * weight[c].scale();
        }
        graph.addInitializer(OnnxTensors.int32s(name + "/quantized", quantized, values.length));
        graph.addInitializer(OnnxTensors.floats(name + "/scale", scales, values.length));
        graph.addInitializer(OnnxTensors.int32s(name + "/zero_point", new int[values.length], values.length));
        graph.addNode(NodeProto.newBuilder().setOpType("DequantizeLinear").setName(name + "/dequantize")
                .addInput(name + "/quantized").addInput(name + "/scale").addInput(name + "/zero_point")
                .addOutput(name + "/dequantized").addAttribute(AttributeProto.newBuilder().setName("axis")
                        .setType(AttributeProto.AttributeType.INT).setI(0)));
        replacedInitializers.add(name);
    }

    private static long attribute(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).mapToLong(AttributeProto::getI)
                .findFirst().orElse(0);
    }
}
