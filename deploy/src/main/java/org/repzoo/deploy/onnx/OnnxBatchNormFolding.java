package org.repzoo.deploy.onnx;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.repzoo.deploy.onnx.proto.Onnx.AttributeProto;
import org.repzoo.deploy.onnx.proto.Onnx.GraphProto;
import org.repzoo.deploy.onnx.proto.Onnx.ModelProto;
import org.repzoo.deploy.onnx.proto.Onnx.NodeProto;
import org.repzoo.deploy.onnx.proto.Onnx.TensorProto;

/**
 * Folds every BatchNormalization that follows a convolution (and nothing else reads the convolution's output) into
 * that convolution, in an ONNX graph: {@code W' = W * g}, {@code b' = (b - mean) * g + beta} with
 * {@code g = gamma / sqrt(var + eps)} per output channel, the arithmetic of {@code reparam}'s {@code KernelMath}
 * (which does the same to DL4J graphs). The quantizer needs it: a weight is quantized after the batch norm's scale is
 * in it.
 */
public final class OnnxBatchNormFolding {

    private OnnxBatchNormFolding() {
    }

    /** A model with its pairs folded, and how many there were. */
    public record Folded(ModelProto model, int pairs) {
    }

    /** The model with its conv + batch-norm pairs folded. */
    public static Folded fold(ModelProto model) {
        GraphProto graph = model.getGraph();
        Map<String, TensorProto> initializers = OnnxTensors.initializers(graph);
        Map<String, Integer> readers = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            node.getInputList().forEach(input -> readers.merge(input, 1, Integer::sum));
        }
        graph.getOutputList().forEach(output -> readers.merge(output.getName(), 1, Integer::sum));
        Map<String, NodeProto> convByOutput = new HashMap<>();
        for (NodeProto node : graph.getNodeList()) {
            if (node.getOpType().equals("Conv") && node.getOutputCount() == 1) {
                convByOutput.put(node.getOutput(0), node);
            }
        }
        Map<String, NodeProto> replaced = new HashMap<>(); // conv name -> folded conv
        Set<String> removed = new HashSet<>();
        Map<String, TensorProto> newInitializers = new HashMap<>();
        for (NodeProto bn : graph.getNodeList()) {
            if (!bn.getOpType().equals("BatchNormalization") || bn.getOutputCount() != 1) {
                continue;
            }
            NodeProto conv = convByOutput.get(bn.getInput(0));
            if (conv == null || readers.getOrDefault(conv.getOutput(0), 0) != 1
                    || !initializers.containsKey(conv.getInput(1))
                    || readers.getOrDefault(conv.getInput(1), 0) != 1) {
                continue;
            }
            float[] gamma = OnnxTensors.floats(initializers.get(bn.getInput(1)));
            float[] beta = OnnxTensors.floats(initializers.get(bn.getInput(2)));
            float[] mean = OnnxTensors.floats(initializers.get(bn.getInput(3)));
            float[] variance = OnnxTensors.floats(initializers.get(bn.getInput(4)));
            double eps = bn.getAttributeList().stream().filter(a -> a.getName().equals("epsilon"))
                    .mapToDouble(AttributeProto::getF).findFirst().orElse(1e-5);
            TensorProto weight = initializers.get(conv.getInput(1));
            float[] w = OnnxTensors.floats(weight);
            float[] b = conv.getInputCount() > 2 ? OnnxTensors.floats(initializers.get(conv.getInput(2)))
                    : new float[gamma.length];
            int perChannel = w.length / gamma.length;
            float[] bias = new float[gamma.length];
            for (int c = 0; c < gamma.length; c++) {
                double g = gamma[c] / Math.sqrt(variance[c] + eps);
                for (int i = 0; i < perChannel; i++) {
                    w[c * perChannel + i] = (float) (w[c * perChannel + i] * g);
                }
                bias[c] = (float) ((b[c] - mean[c]) * g + beta[c]);
            }
            String biasName = conv.getInputCount() > 2 ? conv.getInput(2) : conv.getName() + ".bias";
            newInitializers.put(weight.getName(), OnnxTensors.floats(weight.getName(), w,
                    weight.getDimsList().stream().mapToLong(Long::longValue).toArray()));
            newInitializers.put(biasName, OnnxTensors.floats(biasName, bias, gamma.length));
            NodeProto.Builder foldedConv = conv.toBuilder().setOutput(0, bn.getOutput(0));
            if (conv.getInputCount() < 3) {
                foldedConv.addInput(biasName);
            }
            replaced.put(conv.getName(), foldedConv.build());
            removed.add(bn.getName());
            for (int i = 1; i < 5; i++) {
                removed.add("initializer:" + bn.getInput(i));
            }
        }
        GraphProto.Builder result = graph.toBuilder().clearNode().clearInitializer();
        for (NodeProto node : graph.getNodeList()) {
            if (!removed.contains(node.getName())) {
                result.addNode(replaced.getOrDefault(node.getName(), node));
            }
        }
        for (TensorProto tensor : graph.getInitializerList()) {
            if (!removed.contains("initializer:" + tensor.getName())) {
                result.addInitializer(newInitializers.getOrDefault(tensor.getName(), tensor));
            }
        }
        newInitializers.forEach((name, tensor) -> {
            if (!initializers.containsKey(name)) {
                result.addInitializer(tensor);
            }
        });
        return new Folded(model.toBuilder().setGraph(result).build(), replaced.size());
    }
}
