package org.repzoo.deploy.onnx;

import static org.repzoo.deploy.onnx.OnnxGraphWriter.integer;
import static org.repzoo.deploy.onnx.OnnxGraphWriter.ints;
import static org.repzoo.deploy.onnx.OnnxGraphWriter.real;
import static org.repzoo.deploy.onnx.OnnxGraphWriter.string;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.PreprocessorVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.repzoo.deploy.onnx.proto.Onnx.AttributeProto;
import org.repzoo.zoo.core.AdaptiveAvgPool;
import org.repzoo.zoo.core.ChannelAffine;
import org.repzoo.zoo.core.ChannelScale;
import org.repzoo.zoo.core.GroupedConvolution;
import org.repzoo.zoo.core.WeightKeys;

/**
 * The table from DL4J layer and vertex types to ONNX nodes: one small function per type, in the manner of
 * {@code torch.onnx}'s symbolic functions. What is not in {@link #LAYERS} or {@link #VERTICES} has no mapping and is
 * refused with the vertex's name and type. Every function reproduces what DL4J computes in inference: the exporter's
 * test runs each registered architecture through both and compares.
 */
final class VertexExports {

    /** One vertex: its name, its inputs' values and types, its output type and the value name to produce. */
    record Vertex(String name, List<String> inputs, List<InputType> inputTypes, InputType outputType, String output) {
        String input() {
            return inputs.get(0);
        }

        InputType inputType() {
            return inputTypes.get(0);
        }
    }

    @FunctionalInterface
    private interface LayerExport {
        /** Writes the nodes of {@code layer} and returns the value holding its output. */
        String export(VertexExports exports, Vertex vertex, Layer layer);
    }

    @FunctionalInterface
    private interface VertexExport {
        String export(VertexExports exports, Vertex vertex, GraphVertex definition);
    }

    /** Layers by exact class: a subclass (depthwise, separable, deconvolution) computes something else. */
    private static final Map<Class<? extends Layer>, LayerExport> LAYERS = new LinkedHashMap<>();
    private static final Map<Class<? extends GraphVertex>, VertexExport> VERTICES = new LinkedHashMap<>();

    static {
        LAYERS.put(ConvolutionLayer.class, VertexExports::convolution);
        LAYERS.put(GroupedConvolution.class, VertexExports::convolution);
        LAYERS.put(BatchNormalization.class, VertexExports::batchNorm);
        LAYERS.put(ActivationLayer.class, (e, v, l) -> e.activation(v, v.input(), ((ActivationLayer) l)
                .getActivationFn(), v.output()));
        LAYERS.put(SubsamplingLayer.class, VertexExports::pooling);
        LAYERS.put(ZeroPaddingLayer.class, VertexExports::zeroPadding);
        LAYERS.put(LocalResponseNormalization.class, VertexExports::localResponseNorm);
        LAYERS.put(DropoutLayer.class, (e, v, l) -> v.input()); // inference: the identity
        LAYERS.put(DenseLayer.class, VertexExports::dense);
        LAYERS.put(org.deeplearning4j.nn.conf.layers.OutputLayer.class, VertexExports::dense);
        LAYERS.put(LossLayer.class, (e, v, l) -> e.activation(v, v.input(), ((LossLayer) l).getActivationFn(),
                v.output()));
        LAYERS.put(GlobalPoolingLayer.class, VertexExports::globalPooling);

        VERTICES.put(ElementWiseVertex.class, VertexExports::elementWise);
        VERTICES.put(MergeVertex.class, (e, v, d) -> e.node("Concat", v, v.inputs(), v.output(), integer("axis", 1)));
        VERTICES.put(ScaleVertex.class, (e, v, d) -> e.node("Mul", v, List.of(v.input(), e.writer.floats(v.name()
                + ".factor", new float[] {(float) ((ScaleVertex) d).getScaleFactor()})), v.output()));
        VERTICES.put(AdaptiveAvgPool.class, VertexExports::adaptiveAveragePool);
        VERTICES.put(ChannelScale.class, VertexExports::channelScale);
        VERTICES.put(ChannelAffine.class, VertexExports::channelAffine);
        VERTICES.put(PreprocessorVertex.class, (e, v, d) -> e.preprocess(v, ((PreprocessorVertex) d).getPreProcessor(),
                v.input(), v.inputType(), v.output()));
    }

    private final ComputationGraph graph;
    private final OnnxGraphWriter writer;
    private final Map<String, InputType> types;
    private final int opset;
    private boolean spatialFixed;

    VertexExports(ComputationGraph graph, OnnxGraphWriter writer, Map<String, InputType> types, int opset) {
        this.graph = graph;
        this.writer = writer;
        this.types = types;
        this.opset = opset;
    }

    /** Whether some node depends on the input's height and width (then they are fixed in the model). */
    boolean spatialFixed() {
        return spatialFixed;
    }

    /** Writes the nodes of one vertex; returns the value that holds its output. */
    String export(String name, GraphVertex definition, List<String> inputs, List<InputType> inputTypes,
                  String output) {
        Vertex vertex = new Vertex(name, inputs, inputTypes, types.get(name), output);
        if (definition instanceof LayerVertex layerVertex) {
            Layer layer = layerVertex.getLayerConf().getLayer();
            LayerExport export = LAYERS.get(layer.getClass());
            if (export == null) {
                throw unsupported(name, layer.getClass().getSimpleName());
            }
            if (layerVertex.getPreProcessor() != null) {
                String flat = preprocess(vertex, layerVertex.getPreProcessor(), vertex.input(), vertex.inputType(),
                        name + "/flatten");
                vertex = new Vertex(name, List.of(flat), List.of(InputType.feedForward(vertex.inputType()
                        .arrayElementsPerExample())), vertex.outputType(), output);
            }
            return export.export(this, vertex, layer);
        }
        VertexExport export = VERTICES.get(definition.getClass());
        if (export == null) {
            throw unsupported(name, definition.getClass().getSimpleName());
        }
        return export.export(this, vertex, definition);
    }

    private static OnnxExportException unsupported(String vertex, String type) {
        return new OnnxExportException("vertex " + vertex + " is a " + type + ", which has no ONNX mapping (supported: "
                + String.join(", ", LAYERS.keySet().stream().map(Class::getSimpleName).toList()) + ", "
                + String.join(", ", VERTICES.keySet().stream().map(Class::getSimpleName).toList()) + ")");
    }

    // ---- layers

    private String convolution(Vertex v, Layer layer) {
        ConvolutionLayer conv = (ConvolutionLayer) layer;
        int[] dilation = conv.getDilation();
        int groups = conv instanceof GroupedConvolution grouped ? grouped.getGroups() : 1;
        List<String> inputs = new ArrayList<>(List.of(v.input(), weight(v.name(), layer, "W")));
        if (conv.hasBias()) {
            inputs.add(weight(v.name(), layer, "b"));
        }
        List<AttributeProto> attributes = new ArrayList<>(List.of(
                ints("kernel_shape", conv.getKernelSize()[0], conv.getKernelSize()[1]),
                ints("strides", conv.getStride()[0], conv.getStride()[1]),
                ints("dilations", dilation[0], dilation[1]),
                integer("group", groups)));
        attributes.add(padding(v.name(), conv.getConvolutionMode(), conv.getPadding()));
        boolean activated = !(conv.getActivationFn() instanceof ActivationIdentity) && conv.getActivationFn() != null;
        String convOut = activated ? v.name() + "/conv" : v.output();
        node("Conv", v.name(), inputs, convOut, attributes);
        return activation(v, convOut, conv.getActivationFn(), v.output());
    }

    private String batchNorm(Vertex v, Layer layer) {
        BatchNormalization bn = (BatchNormalization) layer;
        long channels = bn.getNOut();
        String scale = bn.isLockGammaBeta() ? writer.floats(v.name() + ".weight", constant((float) bn.getGamma(),
                channels), channels) : weight(v.name(), layer, "gamma");
        String bias = bn.isLockGammaBeta() ? writer.floats(v.name() + ".bias", constant((float) bn.getBeta(),
                channels), channels) : weight(v.name(), layer, "beta");
        String mean = weight(v.name(), layer, "mean");
        String variance;
        if (bn.isUseLogStd()) {
            // DL4J's default storage, log10 of the standard deviation: the variance is 10^(2 x).
            INDArray logStd = graph.getParam(v.name() + "_log10stdev");
            variance = writer.floats(v.name() + ".running_var", Transforms.pow(Nd4j.valueArrayOf(logStd.shape(), 10f,
                    logStd.dataType()), logStd.mul(2), false), channels);
        } else {
            variance = weight(v.name(), layer, "var");
        }
        // DL4J's BatchNormalization ignores its activation function; so does the export.
        return node("BatchNormalization", v, List.of(v.input(), scale, bias, mean, variance), v.output(),
                real("epsilon", bn.getEps()));
    }

    private String pooling(Vertex v, Layer layer) {
        SubsamplingLayer pool = (SubsamplingLayer) layer;
        int[] dilation = pool.getDilation();
        if (dilation[0] != 1 || dilation[1] != 1) {
            throw new OnnxExportException("vertex " + v.name() + " pools with dilation " + dilation[0] + "x"
                    + dilation[1] + ", which has no ONNX mapping");
        }
        List<AttributeProto> attributes = new ArrayList<>(List.of(
                ints("kernel_shape", pool.getKernelSize()[0], pool.getKernelSize()[1]),
                ints("strides", pool.getStride()[0], pool.getStride()[1]),
                padding(v.name(), pool.getConvolutionMode(), pool.getPadding())));
        if (pool.getPoolingType() == PoolingType.MAX) {
            return node("MaxPool", v.name(), List.of(v.input()), v.output(), attributes);
        }
        if (pool.getPoolingType() == PoolingType.AVG) {
            attributes.add(integer("count_include_pad", pool.isAvgPoolIncludePadInDivisor() ? 1 : 0));
            return node("AveragePool", v.name(), List.of(v.input()), v.output(), attributes);
        }
        throw new OnnxExportException("vertex " + v.name() + " is a " + pool.getPoolingType()
                + " pooling, which has no ONNX mapping (max and average do)");
    }

    private String zeroPadding(Vertex v, Layer layer) {
        int[] p = ((ZeroPaddingLayer) layer).getPadding(); // top, bottom, left, right
        String pads = writer.int64s(v.name() + ".pads", 0, 0, p[0], p[2], 0, 0, p[1], p[3]);
        return node("Pad", v, List.of(v.input(), pads), v.output(), string("mode", "constant"));
    }

    private String localResponseNorm(Vertex v, Layer layer) {
        LocalResponseNormalization lrn = (LocalResponseNormalization) layer;
        // DL4J multiplies the window's sum of squares by alpha; ONNX (like Caffe and PyTorch) by alpha / size.
        return node("LRN", v, List.of(v.input()), v.output(), integer("size", (long) lrn.getN()),
                real("alpha", lrn.getAlpha() * lrn.getN()), real("beta", lrn.getBeta()), real("bias", lrn.getK()));
    }

    /** {@code nn.Linear} (dense and output layers): Gemm with the PyTorch-layout weight [out, in]. */
    private String dense(Vertex v, Layer layer) {
        org.deeplearning4j.nn.conf.layers.FeedForwardLayer dense =
                (org.deeplearning4j.nn.conf.layers.FeedForwardLayer) layer;
        String input = v.input();
        if (v.inputType() instanceof InputType.InputTypeConvolutional) {
            input = flatten(v.name() + "/flatten", input, v.inputType());
        }
        List<String> inputs = new ArrayList<>(List.of(input, weight(v.name(), layer, "W")));
        boolean bias = dense instanceof DenseLayer d ? d.hasBias() : !(dense instanceof BaseOutputLayer o) || o.hasBias();
        if (bias) {
            inputs.add(weight(v.name(), layer, "b"));
        }
        IActivation fn = dense.getActivationFn();
        boolean activated = fn != null && !(fn instanceof ActivationIdentity);
        String linear = activated ? v.name() + "/gemm" : v.output();
        node("Gemm", v.name(), inputs, linear, List.of(integer("transB", 1)));
        return activation(v, linear, fn, v.output());
    }

    private String globalPooling(Vertex v, Layer layer) {
        GlobalPoolingLayer pool = (GlobalPoolingLayer) layer;
        String op = switch (pool.getPoolingType()) {
            case AVG -> "GlobalAveragePool";
            case MAX -> "GlobalMaxPool";
            default -> throw new OnnxExportException("vertex " + v.name() + " is a global " + pool.getPoolingType()
                    + " pooling, which has no ONNX mapping (max and average do)");
        };
        if (!(v.inputType() instanceof InputType.InputTypeConvolutional)) {
            throw new OnnxExportException("vertex " + v.name() + " pools a " + v.inputType() + " input; the export "
                    + "takes global pooling of feature maps");
        }
        if (!pool.isCollapseDimensions()) {
            return node(op, v, List.of(v.input()), v.output());
        }
        String pooled = node(op, v.name(), List.of(v.input()), v.name() + "/pool", List.of());
        return node("Flatten", v.name() + "/flatten", List.of(pooled), v.output(), List.of(integer("axis", 1)));
    }

    // ---- vertices

    private String elementWise(Vertex v, GraphVertex definition) {
        ElementWiseVertex.Op op = ((ElementWiseVertex) definition).getOp();
        String onnx = switch (op) {
            case Add -> v.inputs().size() == 2 ? "Add" : "Sum";
            case Product -> "Mul";
            case Subtract -> "Sub";
            case Average -> "Mean";
            case Max -> "Max";
        };
        if (v.inputs().size() != 2 && (op == ElementWiseVertex.Op.Product || op == ElementWiseVertex.Op.Subtract)) {
            throw new OnnxExportException("vertex " + v.name() + " is a " + op + " of " + v.inputs().size()
                    + " inputs; the export takes two");
        }
        return node(onnx, v, v.inputs(), v.output());
    }

    /**
     * torchvision's {@code AdaptiveAvgPool2d}: nothing where the map already has the output size, GlobalAveragePool
     * for 1x1, an AveragePool where the bins tile the map evenly, else the exact bin averages as two constant matrix
     * products (rows, then columns). All but the global pool fix the input size.
     */
    private String adaptiveAveragePool(Vertex v, GraphVertex definition) {
        AdaptiveAvgPool pool = (AdaptiveAvgPool) definition;
        int outH = pool.getOutHeight();
        int outW = pool.getOutWidth();
        if (outH == 1 && outW == 1) {
            return node("GlobalAveragePool", v, List.of(v.input()), v.output());
        }
        spatialFixed = true;
        InputType.InputTypeConvolutional in = (InputType.InputTypeConvolutional) v.inputType();
        int h = (int) in.getHeight();
        int w = (int) in.getWidth();
        if (h == outH && w == outW) {
            return v.input();
        }
        if (h % outH == 0 && w % outW == 0) {
            return node("AveragePool", v, List.of(v.input()), v.output(), ints("kernel_shape", h / outH, w / outW),
                    ints("strides", h / outH, w / outW));
        }
        String rows = writer.floats(v.name() + ".rows", binMatrix(h, outH), outH, h);
        String columns = writer.floats(v.name() + ".columns", OnnxTensors.transpose(binMatrix(w, outW), outW, w), w,
                outW);
        String pooledRows = node("MatMul", v.name() + "/rows", List.of(rows, v.input()), v.name() + "/pooled_rows",
                List.of());
        return node("MatMul", v.name(), List.of(pooledRows, columns), v.output(), List.of());
    }

    /** Squeeze-excitation's scale: the feature map times the per-channel gate ([N, C, 1, 1] broadcasts). */
    private String channelScale(Vertex v, GraphVertex definition) {
        String gate = v.inputs().get(1);
        if (!(v.inputTypes().get(1) instanceof InputType.InputTypeConvolutional)) {
            String axes = writer.int64s(v.name() + ".axes", 2, 3);
            gate = node("Unsqueeze", v.name() + "/unsqueeze", List.of(gate, axes), v.name() + "/gate", List.of());
        }
        return node("Mul", v, List.of(v.input(), gate), v.output());
    }

    /** {@code x[:, c] * scale[c] + shift[c]} (torchvision's {@code transform_input}). */
    private String channelAffine(Vertex v, GraphVertex definition) {
        ChannelAffine affine = (ChannelAffine) definition;
        int channels = affine.getScale().length;
        String scale = writer.floats(v.name() + ".scale", toFloats(affine.getScale()), 1, channels, 1, 1);
        String shift = writer.floats(v.name() + ".shift", toFloats(affine.getShift()), 1, channels, 1, 1);
        String scaled = node("Mul", v.name() + "/scale", List.of(v.input(), scale), v.name() + "/scaled", List.of());
        return node("Add", v, List.of(scaled, shift), v.output());
    }

    // ---- shared pieces

    /** A DL4J input preprocessor in front of a layer: only NCHW flattening has a meaning here. */
    private String preprocess(Vertex v, InputPreProcessor preprocessor, String input, InputType inputType,
                              String output) {
        if (preprocessor instanceof CnnToFeedForwardPreProcessor) {
            return flatten(output, input, inputType);
        }
        throw new OnnxExportException("vertex " + v.name() + " has a " + preprocessor.getClass().getSimpleName()
                + ", which has no ONNX mapping");
    }

    /** NCHW to [N, C*H*W], as torch.flatten; the width of what follows then fixes H and W (unless they are 1). */
    private String flatten(String name, String input, InputType type) {
        if (type instanceof InputType.InputTypeConvolutional c && c.getHeight() * c.getWidth() > 1) {
            spatialFixed = true;
        }
        return node("Flatten", name, List.of(input), name, List.of(integer("axis", 1)));
    }

    /** The layer's activation function after {@code input}, producing {@code output}; identity adds nothing. */
    String activation(Vertex v, String input, IActivation fn, String output) {
        if (fn == null || fn instanceof ActivationIdentity) {
            return input;
        }
        String name = v.name() + "/" + fn.getClass().getSimpleName().replace("Activation", "").toLowerCase();
        if (fn instanceof ActivationReLU relu) {
            if (relu.getMax() != null || relu.getThreshold() != null && relu.getThreshold() != 0.0
                    || relu.getNegativeSlope() != null && relu.getNegativeSlope() != 0.0) {
                throw new OnnxExportException("vertex " + v.name() + " has a clipped or leaky ReLU, which the export"
                        + " does not map");
            }
            return node("Relu", name, List.of(input), output, List.of());
        }
        if (fn instanceof ActivationSigmoid) {
            return node("Sigmoid", name, List.of(input), output, List.of());
        }
        if (fn instanceof ActivationTanH) {
            return node("Tanh", name, List.of(input), output, List.of());
        }
        if (fn instanceof ActivationLReLU leaky) {
            return node("LeakyRelu", name, List.of(input), output, List.of(real("alpha", leaky.getAlpha())));
        }
        throw new OnnxExportException("vertex " + v.name() + " has the activation " + fn
                + ", which has no ONNX mapping (identity, ReLU, leaky ReLU, sigmoid and tanh do)");
    }

    /** ONNX pads for DL4J's convolution modes: explicit for Truncate, SAME_UPPER for Same (extra at the end). */
    private static AttributeProto padding(String vertex, ConvolutionMode mode, int[] pad) {
        return switch (mode) {
            case Truncate, Strict -> ints("pads", pad[0], pad[1], pad[0], pad[1]);
            case Same -> string("auto_pad", "SAME_UPPER");
            default -> throw new OnnxExportException("vertex " + vertex + " uses the " + mode
                    + " convolution mode, which has no ONNX mapping");
        };
    }

    /** An initializer for a layer parameter, named by its PyTorch key and in PyTorch's layout. */
    private String weight(String vertex, Layer layer, String param) {
        String key = vertex + "." + WeightKeys.torchName(layer, param);
        INDArray value = graph.getParam(vertex + "_" + param);
        boolean linearWeight = param.equals("W") && !(layer instanceof ConvolutionLayer);
        if (linearWeight) {
            value = value.transpose(); // DL4J stores [in, out]
        }
        long[] shape = value.rank() == 2 && value.size(0) == 1 && !linearWeight ? new long[] {value.size(1)}
                : value.shape();
        return writer.floats(key, value, shape);
    }

    private String node(String opType, Vertex v, List<String> inputs, String output,
                        AttributeProto... attributes) {
        return node(opType, v.name(), inputs, output, List.of(attributes));
    }

    private String node(String opType, String name, List<String> inputs, String output,
                        List<AttributeProto> attributes) {
        writer.node(opType, name, inputs, output,
                attributes.toArray(AttributeProto[]::new));
        return output;
    }

    /** Row {@code i}: 1/|bin| over the input positions of PyTorch's adaptive bin i (start floor, end ceil). */
    private static float[] binMatrix(int in, int out) {
        float[] m = new float[out * in];
        for (int i = 0; i < out; i++) {
            int start = Math.floorDiv(i * in, out);
            int end = -Math.floorDiv(-(i + 1) * in, out);
            for (int p = start; p < end; p++) {
                m[i * in + p] = 1f / (end - start);
            }
        }
        return m;
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    private static float[] constant(float value, long count) {
        float[] values = new float[Math.toIntExact(count)];
        java.util.Arrays.fill(values, value);
        return values;
    }
}
