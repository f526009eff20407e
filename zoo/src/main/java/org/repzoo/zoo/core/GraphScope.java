package org.repzoo.zoo.core;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.weights.IWeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.repzoo.compat.BatchNormVariance;

/**
 * Builds a {@link ComputationGraphConfiguration} one block at a time. Every method adds one vertex and
 * <em>returns its name</em>, so blocks compose as {@code String block(GraphScope scope, String input, Spec spec)}
 * and no input name is ever typed by hand.
 *
 * <p>A scope carries a name prefix: {@code scope.child("layer1").child("0").conv("conv1", ...)} adds the vertex
 * {@code layer1.0.conv1}, the PyTorch module path, so weights map 1:1 to state_dict keys. The scope also tracks
 * every vertex's output shape (PyTorch's size arithmetic) so that an input too small for the net is reported by
 * the vertex where it collapses, while building, rather than deep inside ND4J at run time.
 *
 * <p>Architecture only: no updater, regularisation or other training settings are set here.
 */
public final class GraphScope {

    public static final String INPUT = "input";

    private final Graph graph;
    private final String prefix;

    private GraphScope(Graph graph, String prefix) {
        this.graph = graph;
        this.prefix = prefix;
    }

    /** A new graph with one image input named {@value #INPUT}. */
    public static GraphScope start(String model, InputShape input, long seed) {
        ComputationGraphConfiguration.GraphBuilder builder = new NeuralNetConfiguration.Builder()
                .seed(seed)
                .dataType(DataType.FLOAT)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs(INPUT)
                .setInputTypes(input.toInputType());
        GraphScope root = new GraphScope(new Graph(model, builder), "");
        root.graph.shapes.put(INPUT, new Shape(input.channels(), input.height(), input.width()));
        return root;
    }

    /** The scope of a submodule: names added through it are prefixed with {@code name + "."}. */
    public GraphScope child(String name) {
        return new GraphScope(graph, prefix + name + ".");
    }

    public GraphScope child(int index) {
        return child(Integer.toString(index));
    }

    /** The full vertex name of a local name in this scope. */
    public String name(String local) {
        return prefix + local;
    }

    /** Output channels of a vertex already added. */
    public int channels(String vertex) {
        return shape(vertex).channels;
    }

    public int height(String vertex) {
        return shape(vertex).height;
    }

    public int width(String vertex) {
        return shape(vertex).width;
    }

    /**
     * {@code nn.Conv2d}: DL4J's {@link ConvolutionLayer} for one group, {@link GroupedConvolution} for more (its weight
     * has PyTorch's shape [out, in/groups, kH, kW]).
     */
    public String conv(String local, String input, Conv spec) {
        Shape in = shape(input);
        int outH = (in.height + 2 * spec.padHeight() - spec.kernelHeight()) / spec.strideHeight() + 1;
        int outW = (in.width + 2 * spec.padWidth() - spec.kernelWidth()) / spec.strideWidth() + 1;
        if (in.height + 2 * spec.padHeight() < spec.kernelHeight() || in.width + 2 * spec.padWidth() < spec.kernelWidth()) {
            outH = 0;
            outW = 0;
        }
        if (spec.groups() > 1 && in.channels % spec.groups() != 0) {
            throw new IllegalStateException(graph.model + ": " + name(local) + " cannot split the " + in.channels
                    + " channels of " + input + " into " + spec.groups() + " groups");
        }
        return addLayer(local, ConvLayers.create(spec, in.channels), new Shape(spec.outChannels(), outH, outW), input);
    }

    /**
     * BatchNorm2d/1d storing the variance (not DL4J's default log-std) with the reference's eps. No activation can
     * be fused here: DL4J's BatchNormalization layer silently ignores its activation function, so a following
     * ReLU must be its own vertex ({@link #relu}).
     */
    public String batchNorm(String local, String input, double eps) {
        Shape in = shape(input);
        BatchNormalization layer = new BatchNormalization.Builder()
                .nIn(in.channels).nOut(in.channels)
                .eps(eps)
                .decay(0.9) // PyTorch momentum 0.1
                .useLogStd(false)
                .build();
        return addLayer(local, layer, in, input);
    }

    public String relu(String local, String input) {
        return addLayer(local, new ActivationLayer.Builder().activation(Activation.RELU).build(), shape(input), input);
    }

    /**
     * Max or average pooling with PyTorch's output size. Ceil mode maps to DL4J's Same mode where that gives
     * the same windows, and otherwise to an explicit bottom/right zero padding ({@code NAME.pad}); both are exact
     * for non-negative inputs, which is where these nets use it (after a ReLU). A padded average pool that counts
     * the padding ({@code count_include_pad=True}, PyTorch's default) pads explicitly too ({@code NAME.pad}).
     */
    public String pool(String local, String input, Pool spec) {
        Shape in = shape(input);
        int outH = spec.outputSize(in.height);
        int outW = spec.outputSize(in.width);
        Shape out = new Shape(in.channels, outH, outW);
        if (outH < 1 || outW < 1) {
            throw tooSmall(name(local), out);
        }
        boolean padCounted = spec.paddingInAverage() == Pool.PaddingInAverage.COUNTED;
        SubsamplingLayer.Builder builder = new SubsamplingLayer.Builder(spec.type())
                .kernelSize(spec.kernel(), spec.kernel())
                .stride(spec.stride(), spec.stride())
                .avgPoolIncludePadInDivisor(padCounted);
        if (spec.type() == PoolingType.AVG && padCounted && spec.padding() > 0) {
            // oneDNN's average pool (DL4J's helper) leaves padding out of the divisor whatever avgPoolIncludePadInDivisor
            // says; PyTorch's default counts it. Explicit zeros are counted by both paths.
            int p = spec.padding();
            Shape padded = new Shape(in.channels, in.height + 2 * p, in.width + 2 * p);
            String pad = addLayer(local + ".pad", new ZeroPaddingLayer.Builder(p, p, p, p).build(), padded, input);
            builder.convolutionMode(ConvolutionMode.Truncate).padding(0, 0);
            return addLayer(local, builder.build(), out, pad);
        }
        boolean floorMatches = outH == spec.floorOutputSize(in.height) && outW == spec.floorOutputSize(in.width);
        if (floorMatches) {
            builder.convolutionMode(ConvolutionMode.Truncate).padding(spec.padding(), spec.padding());
            return addLayer(local, builder.build(), out, input);
        }
        if (spec.padding() == 0 && sameModeMatches(in.height, outH, spec) && sameModeMatches(in.width, outW, spec)) {
            builder.convolutionMode(ConvolutionMode.Same);
            return addLayer(local, builder.build(), out, input);
        }
        int extraH = (outH - 1) * spec.stride() + spec.kernel() - in.height - 2 * spec.padding();
        int extraW = (outW - 1) * spec.stride() + spec.kernel() - in.width - 2 * spec.padding();
        Shape padded = new Shape(in.channels, in.height + 2 * spec.padding() + extraH, in.width + 2 * spec.padding() + extraW);
        String pad = addLayer(local + ".pad", new ZeroPaddingLayer.Builder(spec.padding(), spec.padding() + extraH,
                spec.padding(), spec.padding() + extraW).build(), padded, input);
        builder.convolutionMode(ConvolutionMode.Truncate).padding(0, 0);
        return addLayer(local, builder.build(), out, pad);
    }

    /** Same mode pads (total - total/2) at the bottom; ceil mode pads only at the bottom, so total must be 0 or 1. */
    private static boolean sameModeMatches(int inputSize, int outputSize, Pool spec) {
        int sameOut = (inputSize + spec.stride() - 1) / spec.stride();
        int totalPad = (outputSize - 1) * spec.stride() + spec.kernel() - inputSize;
        return sameOut == outputSize && totalPad >= 0 && totalPad <= 1;
    }

    /** {@code nn.AdaptiveAvgPool2d}: exact for any input size (overlapping bins included). */
    public String adaptiveAvgPool(String local, String input, int outHeight, int outWidth) {
        Shape in = shape(input);
        return addVertex(local, new AdaptiveAvgPool(outHeight, outWidth), new Shape(in.channels, outHeight, outWidth), input);
    }

    /** {@code AdaptiveAvgPool2d(1)} followed by flatten: a [N, C] output. */
    public String globalAvgPool(String local, String input) {
        Shape in = shape(input);
        return addLayer(local, new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(true).build(),
                new Shape(in.channels, 1, 1), input);
    }

    /**
     * Squeeze-and-excitation of {@code input} ({@link SqueezeExcitation}), as the submodule {@code local}: the vertices
     * {@code local.pool} (global average, kept as [N, C, 1, 1]), {@code local.REDUCE} (1x1 conv with bias and ReLU),
     * {@code local.EXPAND} (1x1 conv with bias and sigmoid) and {@code local.scale} ({@link ChannelScale}: the input
     * times the gate), whose name is returned. The activations are fused into the convolutions; being parameter-free
     * they lose no key.
     */
    public String squeezeExcitation(String local, String input, SqueezeExcitation spec) {
        Shape in = shape(input);
        GraphScope block = child(local);
        String pooled = block.addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(false)
                .build(), new Shape(in.channels, 1, 1), input);
        String gate = block.conv(spec.reduce(), pooled, Conv.of(spec.reducedChannels(), 1).relu());
        gate = block.conv(spec.expand(), gate, Conv.of(in.channels, 1).sigmoid());
        return block.addVertex("scale", new ChannelScale(), in, input, gate);
    }

    /**
     * {@code nn.LocalResponseNorm(size, alpha, beta, k)}. PyTorch (like Caffe) divides alpha by the window
     * size; DL4J does not, so the value handed to DL4J is {@code alpha / size}.
     */
    public String localResponseNorm(String local, String input, int size, double alpha, double beta, double k) {
        LocalResponseNormalization layer = new LocalResponseNormalization.Builder()
                .n(size).alpha(alpha / size).beta(beta).k(k).build();
        return addLayer(local, layer, shape(input), input);
    }

    /** {@code nn.Dropout(p)} with PyTorch's meaning of p (drop probability; DL4J takes the keep probability). */
    public String dropout(String local, String input, double dropProbability) {
        return addLayer(local, new DropoutLayer.Builder(1.0 - dropProbability).build(), shape(input), input);
    }

    /** {@code nn.Linear}; a convolutional input is flattened in C, H, W order as {@code torch.flatten} does. */
    public String linear(String local, String input, int outFeatures, Activation activation, IWeightInit init) {
        DenseLayer layer = new DenseLayer.Builder()
                .nIn(shape(input).size()).nOut(outFeatures)
                .activation(activation).weightInit(init).biasInit(0)
                .build();
        return addLayer(local, layer, new Shape(outFeatures, 1, 1), input);
    }

    /**
     * The classifier: an {@code nn.Linear} that outputs logits, as torchvision's models do. It is a DL4J output
     * layer with a softmax cross-entropy on logits, so the same graph trains and predicts.
     */
    public String logits(String local, String input, int classes, IWeightInit init) {
        return logits(local, input, classes, init, 1.0);
    }

    /**
     * A classifier whose loss counts {@code lossWeight} times in the total score: an auxiliary classifier, which
     * {@link #build} lists after the main one.
     */
    public String logits(String local, String input, int classes, IWeightInit init, double lossWeight) {
        OutputLayer layer = new OutputLayer.Builder(new LogitsCrossEntropy(lossWeight))
                .nIn(shape(input).size()).nOut(classes)
                .activation(Activation.IDENTITY).weightInit(init).biasInit(0)
                .build();
        return addLayer(local, layer, new Shape(classes, 1, 1), input);
    }

    /**
     * A parameter-free classifier end (Caffe's SoftmaxWithLoss) for nets whose last layer already yields one score per
     * class, such as Network-in-Network's global average pooling: outputs its input as logits.
     */
    public String loss(String local, String input) {
        LossLayer layer = new LossLayer.Builder(new LogitsCrossEntropy()).activation(Activation.IDENTITY).build();
        return addLayer(local, layer, shape(input), input);
    }

    /**
     * A fixed per-channel affine map {@code x[:, c] * scale[c] + shift[c]} without parameters ({@link ChannelAffine}),
     * such as torchvision's {@code transform_input}.
     */
    public String channelAffine(String local, String input, double[] scale, double[] shift) {
        if (scale.length != shape(input).channels) {
            throw new IllegalStateException(graph.model + ": " + name(local) + " has " + scale.length
                    + " channel factors for the " + shape(input).channels + " channels of " + input);
        }
        return addVertex(local, new ChannelAffine(scale, shift), shape(input), input);
    }

    public String add(String local, String... inputs) {
        Shape first = shape(inputs[0]);
        for (String input : inputs) {
            if (!shape(input).equals(first)) {
                throw new IllegalStateException(graph.model + ": cannot add " + input + " " + shape(input) + " to "
                        + inputs[0] + " " + first + " at " + name(local));
            }
        }
        return addVertex(local, new ElementWiseVertex(ElementWiseVertex.Op.Add), first, inputs);
    }

    /** {@code x * factor}, e.g. Inception-ResNet's residual scaling ({@code out * self.scale + x}). */
    public String scale(String local, String input, double factor) {
        return addVertex(local, new ScaleVertex(factor), shape(input), input);
    }

    public String concat(String local, String... inputs) {
        Shape first = shape(inputs[0]);
        int channels = 0;
        for (String input : inputs) {
            Shape s = shape(input);
            if (s.height != first.height || s.width != first.width) {
                throw new IllegalStateException(graph.model + ": cannot concatenate " + input + " " + s + " with "
                        + inputs[0] + " " + first + " at " + name(local));
            }
            channels += s.channels;
        }
        return addVertex(local, new MergeVertex(), new Shape(channels, first.height, first.width), inputs);
    }

    /** Finishes the graph with the given outputs, the first being the main classifier. */
    public ComputationGraphConfiguration build(String... outputs) {
        return BatchNormVariance.pin(graph.builder.setOutputs(outputs).build());
    }

    private String addLayer(String local, org.deeplearning4j.nn.conf.layers.Layer layer, Shape out, String... inputs) {
        String name = register(local, out);
        graph.builder.addLayer(name, layer, inputs);
        return name;
    }

    private String addVertex(String local, org.deeplearning4j.nn.conf.graph.GraphVertex vertex, Shape out, String... inputs) {
        String name = register(local, out);
        graph.builder.addVertex(name, vertex, inputs);
        return name;
    }

    private String register(String local, Shape out) {
        String name = name(local);
        if (graph.shapes.containsKey(name)) {
            throw new IllegalStateException(graph.model + ": vertex " + name + " added twice");
        }
        if (out.height < 1 || out.width < 1) {
            throw tooSmall(name, out);
        }
        graph.shapes.put(name, out);
        return name;
    }

    private InputTooSmallException tooSmall(String vertex, Shape out) {
        Shape in = graph.shapes.get(INPUT);
        return new InputTooSmallException(graph.model + ": input " + in + " is too small: " + vertex
                + " would output " + Math.max(out.height, 0) + "x" + Math.max(out.width, 0));
    }

    private Shape shape(String vertex) {
        Shape s = graph.shapes.get(vertex);
        if (s == null) {
            throw new IllegalStateException(graph.model + ": no vertex named " + vertex);
        }
        return s;
    }

    /** Output shape of a vertex; a dense output is (features, 1, 1). */
    private record Shape(int channels, int height, int width) {
        long size() {
            return (long) channels * height * width;
        }

        @Override
        public String toString() {
            return channels + "x" + height + "x" + width;
        }
    }

    /** State shared by a root scope and its children. */
    private static final class Graph {
        final String model;
        final ComputationGraphConfiguration.GraphBuilder builder;
        final Map<String, Shape> shapes = new HashMap<>();

        Graph(String model, ComputationGraphConfiguration.GraphBuilder builder) {
            this.model = model;
            this.builder = builder;
        }
    }
}
