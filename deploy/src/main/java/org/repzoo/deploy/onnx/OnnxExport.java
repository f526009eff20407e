package org.repzoo.deploy.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.deploy.onnx.proto.Onnx.ModelProto;
import org.repzoo.deploy.onnx.proto.Onnx.OperatorSetIdProto;
import org.repzoo.deploy.onnx.proto.Onnx.StringStringEntryProto;
import org.repzoo.deploy.onnx.proto.Onnx.TensorProto;
import org.repzoo.deploy.onnx.proto.Onnx.TensorShapeProto;
import org.repzoo.deploy.onnx.proto.Onnx.TypeProto;
import org.repzoo.deploy.onnx.proto.Onnx.ValueInfoProto;
import org.repzoo.reparam.FullyConvolutional;
import org.repzoo.zoo.core.GraphOrder;
import org.repzoo.zoo.core.InputShape;

/**
 * Writes a DL4J {@link ComputationGraph} built by RepZoo as an ONNX model, the way {@code torch.onnx.export} writes the
 * same net: one input {@code input} (float32 NCHW, dynamic batch), one output {@code logits} (the main head; the
 * auxiliary heads only with {@link Options#keepAuxiliary()}, as outputs named after their vertices), initializers
 * named by the PyTorch state_dict keys ({@code features.0.weight}), nodes named by the vertices they come from.
 *
 * <p>Each DL4J layer or vertex type maps to ONNX nodes through one small function of {@link VertexExports}, the one
 * place that lists what is supported; a graph with anything else is refused by {@link OnnxExportException} naming the
 * vertex and its type, before anything is written. The height and width of the input are dynamic (symbolic) when
 * nothing in the graph depends on them, as in every net whose head is global pooling; a net that flattens a feature
 * map into a linear layer (VGG) or pools it to a fixed grid has them fixed at the export's input size.
 */
public final class OnnxExport {

    /** The opset written unless asked otherwise: the newest Debian's python3-onnx 1.12 checker knows. */
    public static final int DEFAULT_OPSET = 17;
    public static final int MIN_OPSET = 13;
    public static final int MAX_OPSET = 21;
    /** The graph input's name. */
    public static final String INPUT = "input";
    /** The main head's output name. */
    public static final String LOGITS = "logits";
    /** The metadata key under which RepZoo's provenance JSON is stored. */
    public static final String PROVENANCE_KEY = "repzoo.provenance";

    /**
     * What to export.
     *
     * @param opset         the ONNX operator set ({@value #MIN_OPSET}..{@value #MAX_OPSET})
     * @param keepAuxiliary whether auxiliary classifier heads become outputs too
     * @param input         the input size the graph was built for (its channels, and the height and width where
     *                      the graph needs fixed ones)
     */
    public record Options(int opset, boolean keepAuxiliary, InputShape input) {

        public Options {
            if (opset < MIN_OPSET || opset > MAX_OPSET) {
                throw new IllegalArgumentException("ONNX opset " + opset + " is not supported: choose "
                        + MIN_OPSET + " to " + MAX_OPSET);
            }
        }

        public static Options of(InputShape input) {
            return new Options(DEFAULT_OPSET, false, input);
        }

        public Options withOpset(int value) {
            return new Options(value, keepAuxiliary, input);
        }

        public Options withAuxiliary(boolean keep) {
            return new Options(opset, keep, input);
        }
    }

    private OnnxExport() {
    }

    /**
     * The ONNX model of {@code graph} (inference semantics: batch norm with running statistics, dropout removed),
     * with {@code metadata} as its metadata properties. The graph is read, never changed.
     *
     * @throws OnnxExportException a vertex has no ONNX mapping, or the input does not fit the graph
     */
    public static ModelProto export(ComputationGraph graph, Options options, Map<String, String> metadata) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        if (conf.getNetworkInputs().size() != 1) {
            throw new OnnxExportException("the graph has " + conf.getNetworkInputs().size()
                    + " inputs; an image classifier has one");
        }
        String dl4jInput = conf.getNetworkInputs().get(0);
        Map<String, InputType> types;
        try {
            types = new HashMap<>(conf.getLayerActivationTypes(options.input().toInputType()));
        } catch (RuntimeException e) {
            throw new OnnxExportException("the graph does not take input " + options.input() + ": " + e.getMessage());
        }
        types.put(dl4jInput, options.input().toInputType());
        // DL4J types a loss layer as a feed-forward layer of its nOut, 0; what it passes on is its input.
        for (String vertex : GraphOrder.topological(conf)) {
            if (conf.getVertices().get(vertex) instanceof LayerVertex layer
                    && layer.getLayerConf().getLayer() instanceof LossLayer) {
                types.put(vertex, types.get(conf.getVertexInputs().get(vertex).get(0)));
            }
        }

        List<String> outputs = new ArrayList<>(conf.getNetworkOutputs().subList(0,
                options.keepAuxiliary() ? conf.getNetworkOutputs().size() : 1));
        Set<String> needed = needed(conf, outputs);
        Map<String, String> outputNames = new LinkedHashMap<>();
        for (int i = 0; i < outputs.size(); i++) {
            outputNames.put(outputs.get(i), i == 0 ? LOGITS : outputs.get(i));
        }

        OnnxGraphWriter writer = new OnnxGraphWriter(graphName(metadata));
        writer.declareInput(INPUT);
        VertexExports exports = new VertexExports(graph, writer, types, options.opset());
        Map<String, String> values = new HashMap<>();
        values.put(dl4jInput, INPUT);
        for (String vertex : GraphOrder.topological(conf)) {
            if (vertex.equals(dl4jInput) || !needed.contains(vertex)) {
                continue;
            }
            List<String> inputs = conf.getVertexInputs().get(vertex);
            List<String> inputValues = inputs.stream().map(values::get).toList();
            List<InputType> inputTypes = inputs.stream().map(types::get).toList();
            GraphVertex definition = conf.getVertices().get(vertex);
            String produced = exports.export(vertex, definition, inputValues, inputTypes,
                    outputNames.getOrDefault(vertex, vertex));
            values.put(vertex, produced);
        }

        for (Map.Entry<String, String> output : outputNames.entrySet()) {
            String produced = values.get(output.getKey());
            if (!produced.equals(output.getValue())) {
                // A head that ends in a vertex without a node of its own (a loss layer on pooled scores).
                writer.node("Identity", output.getKey() + "/output", List.of(produced), output.getValue());
            }
            InputType type = types.get(output.getKey());
            writer.graph().addOutput(valueInfo(output.getValue(), "batch", type.arrayElementsPerExample()));
        }
        InputShape in = options.input();
        writer.graph().addInput(exports.spatialFixed()
                ? valueInfo(INPUT, "batch", in.channels(), in.height(), in.width())
                : valueInfo(INPUT, "batch", in.channels(), "height", "width"));

        Map<String, String> properties = new LinkedHashMap<>(metadata);
        FullyConvolutional.denseHead(conf).filter(head -> needed.containsAll(head.layers()))
                .ifPresent(head -> properties.put(OnnxDenseForm.DENSE_HEAD, OnnxDenseForm.describe(head,
                        values.get(head.input()))));
        ModelProto.Builder model = ModelProto.newBuilder()
                .setIrVersion(irVersion(options.opset()))
                .setProducerName("RepZoo")
                .setProducerVersion(org.repzoo.zoo.core.Provenance.VERSION)
                .setModelVersion(1)
                .setGraph(writer.graph())
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(options.opset()));
        properties.forEach((key, value) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(key)
                .setValue(value)));
        return model.build();
    }

    /** The vertices the outputs depend on. */
    private static Set<String> needed(ComputationGraphConfiguration conf, List<String> outputs) {
        Set<String> needed = new LinkedHashSet<>();
        Deque<String> pending = new ArrayDeque<>(outputs);
        while (!pending.isEmpty()) {
            String vertex = pending.pop();
            if (needed.add(vertex)) {
                pending.addAll(conf.getVertexInputs().getOrDefault(vertex, List.of()));
            }
        }
        return needed;
    }

    private static String graphName(Map<String, String> metadata) {
        return metadata.getOrDefault("repzoo.architecture", "repzoo");
    }

    /** The IR version that goes with an opset (onnx/docs/Versioning.md). */
    static long irVersion(int opset) {
        if (opset <= 14) {
            return 7;
        }
        if (opset <= 18) {
            return 8;
        }
        return opset <= 20 ? 9 : 10;
    }

    /** A float tensor's name, type and shape; dims are numbers or symbolic names. */
    static ValueInfoProto valueInfo(String name, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            TensorShapeProto.Dimension.Builder d = TensorShapeProto.Dimension.newBuilder();
            if (dim instanceof String symbol) {
                d.setDimParam(symbol);
            } else {
                d.setDimValue(((Number) dim).longValue());
            }
            shape.addDim(d);
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape)))
                .build();
    }
}
