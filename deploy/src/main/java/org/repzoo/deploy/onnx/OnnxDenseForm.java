package org.repzoo.deploy.onnx;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.repzoo.deploy.onnx.proto.Onnx.GraphProto;
import org.repzoo.deploy.onnx.proto.Onnx.ModelProto;
import org.repzoo.deploy.onnx.proto.Onnx.NodeProto;
import org.repzoo.deploy.onnx.proto.Onnx.TensorProto;
import org.repzoo.deploy.onnx.proto.Onnx.TensorShapeProto;
import org.repzoo.deploy.onnx.proto.Onnx.ValueInfoProto;
import org.repzoo.reparam.FullyConvolutional;

/**
 * The fully-convolutional form of an exported model with a dense head (VGG), made from the ONNX file alone, as {@link
 * FullyConvolutional} makes it from the DL4J graph: the first linear layer becomes a convolution whose kernel is the
 * map it flattened ({@code [out, C*h*w]} read as {@code [out, C, h, w]}, the same bytes), the later ones 1x1
 * convolutions, the adaptive pool and the flatten go, and the class score map is averaged. The exporter records the
 * head in the metadata ({@value #DENSE_HEAD}): its layers (the Gemm nodes' names), the value the first one is to
 * convolve, and the kernel.
 */
public final class OnnxDenseForm {

    /** The metadata key of the head's description. */
    public static final String DENSE_HEAD = "repzoo.dense_head";

    private static final ObjectMapper JSON = new ObjectMapper();

    private OnnxDenseForm() {
    }

    /** The head's description for the metadata; {@code input} is the ONNX value the first layer convolves. */
    static String describe(FullyConvolutional.DenseHead head, String input) {
        ObjectNode node = JSON.createObjectNode();
        head.layers().forEach(node.putArray("layers")::add);
        node.put("input", input);
        node.putArray("kernel").add(head.kernelHeight()).add(head.kernelWidth());
        return node.toString();
    }

    /**
     * The fully-convolutional form of {@code model}, whose metadata describes its dense head: input height and width
     * dynamic, one output {@code logits} (the class scores averaged over the map).
     */
    public static ModelProto convert(ModelProto model) {
        String description = model.getMetadataPropsList().stream().filter(p -> p.getKey().equals(DENSE_HEAD))
                .map(p -> p.getValue()).findFirst().orElseThrow(() -> new IllegalArgumentException(
                        "the model records no dense head (" + DENSE_HEAD + ")"));
        JsonNode head;
        try {
            head = JSON.readTree(description);
        } catch (IOException e) {
            throw new IllegalArgumentException(DENSE_HEAD + " is not valid JSON: " + description, e);
        }
        List<String> layers = JSON.convertValue(head.get("layers"), JSON.getTypeFactory()
                .constructCollectionType(List.class, String.class));
        long kernelHeight = head.get("kernel").get(0).asLong();
        long kernelWidth = head.get("kernel").get(1).asLong();
        GraphProto.Builder graph = model.getGraph().toBuilder();
        Map<String, Integer> initializers = new HashMap<>();
        for (int i = 0; i < graph.getInitializerCount(); i++) {
            initializers.put(graph.getInitializer(i).getName(), i);
        }
        String last = layers.get(layers.size() - 1);
        for (int n = 0; n < graph.getNodeCount(); n++) {
            NodeProto node = graph.getNode(n);
            int layer = layers.indexOf(node.getName());
            if (layer < 0 || !node.getOpType().equals("Gemm")) {
                continue;
            }
            long kh = layer == 0 ? kernelHeight : 1;
            long kw = layer == 0 ? kernelWidth : 1;
            NodeProto.Builder conv = node.toBuilder().setOpType("Conv").clearAttribute()
                    .addAttribute(OnnxGraphWriter.ints("kernel_shape", kh, kw))
                    .addAttribute(OnnxGraphWriter.ints("strides", 1, 1))
                    .addAttribute(OnnxGraphWriter.ints("pads", 0, 0, 0, 0));
            if (layer == 0) {
                conv.setInput(0, head.get("input").asText());
            }
            if (node.getName().equals(last)) {
                conv.setOutput(0, last + "/map");
            }
            graph.setNode(n, conv);
            int w = initializers.get(node.getInput(1));
            TensorProto weight = graph.getInitializer(w);
            long out = weight.getDims(0);
            long in = weight.getDims(1) / (kh * kw);
            graph.setInitializer(w, weight.toBuilder().clearDims().addDims(out).addDims(in).addDims(kh).addDims(kw));
        }
        if (graph.getNodeList().stream().noneMatch(node -> node.getOutputList().contains(last + "/map"))) {
            throw new IllegalArgumentException("the model's node " + last + " does not produce its logits");
        }
        // The last layer's logits map, averaged: what the DL4J form's "scores.mean" computes.
        graph.addNode(NodeProto.newBuilder().setOpType("GlobalAveragePool").setName(FullyConvolutional.MEAN)
                .addInput(last + "/map").addOutput(last + "/mean"));
        graph.addNode(NodeProto.newBuilder().setOpType("Flatten").setName(FullyConvolutional.MEAN + "/flatten")
                .addInput(last + "/mean").addOutput(OnnxExport.LOGITS)
                .addAttribute(OnnxGraphWriter.integer("axis", 1)));
        ValueInfoProto logits = graph.getOutputList().stream().filter(o -> o.getName().equals(OnnxExport.LOGITS))
                .findFirst().orElseThrow();
        graph.clearOutput().addOutput(logits);
        removeDeadNodes(graph);
        ValueInfoProto input = graph.getInput(0);
        TensorShapeProto.Builder shape = input.getType().getTensorType().getShape().toBuilder();
        shape.setDim(2, TensorShapeProto.Dimension.newBuilder().setDimParam("height"));
        shape.setDim(3, TensorShapeProto.Dimension.newBuilder().setDimParam("width"));
        ValueInfoProto.Builder dynamic = input.toBuilder();
        dynamic.getTypeBuilder().getTensorTypeBuilder().setShape(shape);
        graph.setInput(0, dynamic);
        ModelProto.Builder result = model.toBuilder().setGraph(graph);
        result.clearMetadataProps();
        model.getMetadataPropsList().stream().filter(p -> !p.getKey().equals(DENSE_HEAD))
                .forEach(result::addMetadataProps);
        return result.build();
    }

    /** Drops the nodes no output depends on (the flatten, the adaptive pool) and the initializers only they read. */
    private static void removeDeadNodes(GraphProto.Builder graph) {
        Map<String, NodeProto> producers = new HashMap<>();
        graph.getNodeList().forEach(node -> node.getOutputList().forEach(out -> producers.put(out, node)));
        Set<String> live = new HashSet<>();
        Deque<String> pending = new ArrayDeque<>();
        graph.getOutputList().forEach(out -> pending.add(out.getName()));
        while (!pending.isEmpty()) {
            String value = pending.pop();
            if (live.add(value) && producers.containsKey(value)) {
                pending.addAll(producers.get(value).getInputList());
            }
        }
        List<NodeProto> nodes = graph.getNodeList().stream()
                .filter(node -> node.getOutputList().stream().anyMatch(live::contains)).toList();
        List<TensorProto> weights = graph.getInitializerList().stream().filter(t -> live.contains(t.getName()))
                .toList();
        graph.clearNode().addAllNode(nodes).clearInitializer().addAllInitializer(weights);
    }
}
