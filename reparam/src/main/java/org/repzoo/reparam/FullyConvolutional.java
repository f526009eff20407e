package org.repzoo.reparam;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.zoo.core.AdaptiveAvgPool;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.ConvLayers;
import org.repzoo.zoo.core.Graphs;
import org.repzoo.zoo.core.LogitsCrossEntropy;
import org.repzoo.zoo.core.WeightKeys;

/**
 * The fully-convolutional form of a classifier, for dense evaluation (Simonyan &amp; Zisserman 2015, §3.2;
 * docs/PROTOCOLS.md §1.3): "the fully-connected layers are first converted to convolutional layers (the first FC
 * layer to a 7 × 7 conv. layer, the last two FC layers to 1 × 1 conv. layers)", then the class score map is averaged
 * spatially. Weights follow step 3 of that section, as timm stores VGG's head ({@code ConvMlp}): the first FC layer's
 * {@code [C·kH·kW, out]} weight becomes a {@code [out, C, kH, kW]} kernel, C, H, W-major as DL4J's
 * {@code CnnToFeedForwardPreProcessor} (NCHW) and {@code torch.flatten} flatten; later FC layers become 1x1
 * convolutions; biases, names and ReLUs are kept; dropout (an inference no-op) is dropped.
 *
 * <p>The head is found by structure, from the main output backwards: the output layer, the dense layers and dropouts
 * before it, and what feeds the first dense layer. An {@link AdaptiveAvgPool} there (torchvision's VGG pools to
 * 7x7) is removed: the 7x7 convolution slides over the unpooled map instead, which is the same computation where
 * the map is 7x7 (VGG at 224) and the paper's dense net elsewhere. A net whose head is global average pooling and a
 * linear layer (ResNet, RepVGG, NiN) is already fully convolutional: by linearity its classifier of the averaged
 * features is the average of the per-position scores, so {@link #of} returns it unchanged (He et al. 2015, §3.4).
 *
 * <p>{@link Output#SPATIAL_MEAN} ends in a global average pool of the score map: {@code [N, classes]}, pre-softmax
 * (§1.3 step 5). {@link Output#SCORE_MAP} ends at the map itself, {@code [N, classes, h, w]}. The source graph is
 * never changed; every source parameter must be used, or the conversion fails.
 */
public final class FullyConvolutional {

    /** What the converted graph outputs. */
    public enum Output { SPATIAL_MEAN, SCORE_MAP }

    /** Name of the spatial average added after the last converted layer (a parameter-free vertex). */
    public static final String MEAN = "scores.mean";

    /**
     * The dense head of a graph: its layers in order, for each the parameter-free vertices before it that go with it
     * (dropouts, the adaptive pool), what feeds the first, and the map size the first flattens.
     */
    record Head(List<String> layers, List<List<String>> removedWith, String input, int kernelHeight, int kernelWidth) {
    }

    private FullyConvolutional() {
    }

    /**
     * The dense head a conversion turns into convolutions: its dense layers in order (the output layer last), the
     * vertex whose map the first of them convolves (past an adaptive pool, which the conversion removes) and the size
     * of the map that layer flattens, which becomes its kernel. For other forms of the same net (an ONNX export).
     */
    public record DenseHead(List<String> layers, String input, int kernelHeight, int kernelWidth) {
        public DenseHead {
            layers = List.copyOf(layers);
        }
    }

    /** The graph's dense head; empty when it is already fully convolutional. */
    public static java.util.Optional<DenseHead> denseHead(ComputationGraphConfiguration conf) {
        Head head = head(conf);
        return head == null ? java.util.Optional.empty() : java.util.Optional.of(new DenseHead(head.layers(),
                head.input(), head.kernelHeight(), head.kernelWidth()));
    }

    /** Whether the graph already takes any input size and averages before its linear classifier (nothing to convert). */
    public static boolean isFullyConvolutional(ComputationGraphConfiguration conf) {
        return head(conf) == null;
    }

    /** The graph's fully-convolutional form with {@link Output#SPATIAL_MEAN}: itself if it already is one. */
    public static ComputationGraph of(ComputationGraph graph) {
        return isFullyConvolutional(graph.getConfiguration()) ? graph : convert(graph, Output.SPATIAL_MEAN);
    }

    /** A new graph whose dense head is converted to convolutions. */
    public static ComputationGraph convert(ComputationGraph graph, Output output) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Head head = head(conf);
        if (head == null) {
            throw new IllegalArgumentException("the graph has no dense layers on a spatial feature map to convert "
                    + "(its head is global pooling, already fully convolutional)");
        }
        GraphEdit edit = new GraphEdit(conf);
        String input = head.input();
        for (int i = 0; i < head.layers().size(); i++) {
            String name = head.layers().get(i);
            FeedForwardLayer dense = (FeedForwardLayer) GraphEdit.layer(conf, name);
            int kernelHeight = i == 0 ? head.kernelHeight() : 1;
            int kernelWidth = i == 0 ? head.kernelWidth() : 1;
            long inChannels = dense.getNIn() / ((long) kernelHeight * kernelWidth);
            Conv spec = Conv.of((int) dense.getNOut(), 1).kernel(kernelHeight, kernelWidth);
            spec = activation(name, dense) == Activation.RELU ? spec.relu() : spec;
            List<String> replaced = new ArrayList<>(head.removedWith().get(i));
            replaced.add(name);
            edit.replace(replaced, name, name, ConvLayers.create(spec, inChannels), input,
                    (LayerVertex) conf.getVertices().get(name));
            input = name;
        }
        ComputationGraphConfiguration converted = edit.result();
        String last = head.layers().get(head.layers().size() - 1);
        if (output == Output.SPATIAL_MEAN) {
            addAfter(converted, last, MEAN, new GlobalPoolingLayer.Builder(PoolingType.AVG).collapseDimensions(true)
                    .build(), (LayerVertex) conf.getVertices().get(last));
            // The graph's output is a loss layer on logits, as the zoo's classifiers are, so it trains and predicts
            // like them; a bare pooling vertex would do for inference only.
            addAfter(converted, MEAN, MEAN + ".loss", new LossLayer.Builder(new LogitsCrossEntropy())
                    .activation(Activation.IDENTITY).build(), (LayerVertex) conf.getVertices().get(last));
        }
        return transfer(graph, converted, head);
    }

    /**
     * The dense head ending at the first network output, or null when there is none to convert (the first dense
     * layer is fed by global pooling, or by no spatial map at all).
     */
    static Head head(ComputationGraphConfiguration conf) {
        String output = conf.getNetworkOutputs().get(0);
        Layer outputLayer = GraphEdit.layer(conf, output);
        if (!(outputLayer instanceof BaseOutputLayer)) {
            return null;
        }
        List<String> layers = new ArrayList<>();
        List<List<String>> removedWith = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        layers.add(output);
        String at = single(conf, output);
        while (at != null) {
            Layer layer = GraphEdit.layer(conf, at);
            if (layer instanceof DropoutLayer) {
                pending.add(at);
            } else if (layer instanceof DenseLayer) {
                removedWith.add(0, pending);
                pending = new ArrayList<>();
                layers.add(0, at);
            } else {
                break;
            }
            at = single(conf, at);
        }
        String first = layers.get(0);
        CnnToFeedForwardPreProcessor flatten = flatten(conf, first);
        if (at == null || flatten == null || GraphEdit.layer(conf, at) instanceof GlobalPoolingLayer) {
            return null;
        }
        if (flatten.getFormat() != CNN2DFormat.NCHW) {
            throw new IllegalArgumentException(first + " flattens an " + flatten.getFormat() + " map; only NCHW "
                    + "(C, H, W-major, as PyTorch) is converted");
        }
        String input = at;
        if (conf.getVertices().get(at) instanceof AdaptiveAvgPool) {
            pending.add(at);
            input = single(conf, at);
        }
        removedWith.add(0, pending);
        return new Head(layers, removedWith, input, (int) flatten.getInputHeight(), (int) flatten.getInputWidth());
    }

    private static CnnToFeedForwardPreProcessor flatten(ComputationGraphConfiguration conf, String vertex) {
        GraphVertex v = conf.getVertices().get(vertex);
        if (v instanceof LayerVertex lv) {
            InputPreProcessor pre = lv.getPreProcessor();
            return pre instanceof CnnToFeedForwardPreProcessor cnn ? cnn : null;
        }
        return null;
    }

    /** The only input of a vertex, or null when it has none or several. */
    private static String single(ComputationGraphConfiguration conf, String vertex) {
        List<String> inputs = conf.getVertexInputs().get(vertex);
        return inputs != null && inputs.size() == 1 ? inputs.get(0) : null;
    }

    private static Activation activation(String name, FeedForwardLayer layer) {
        if (layer.getActivationFn() == null || layer.getActivationFn() instanceof ActivationIdentity) {
            return Activation.IDENTITY;
        }
        if (layer.getActivationFn() instanceof ActivationReLU) {
            return Activation.RELU;
        }
        throw new IllegalArgumentException(name + ": activation " + layer.getActivationFn() + " is not converted "
                + "(identity and ReLU are)");
    }

    private static void addAfter(ComputationGraphConfiguration conf, String input, String name, Layer layer,
                                 LayerVertex template) {
        NeuralNetConfiguration layerConf = template.getLayerConf().clone();
        layer.setLayerName(name);
        layerConf.setLayer(layer);
        conf.getVertices().put(name, new LayerVertex(layerConf, null));
        conf.getVertexInputs().put(name, new ArrayList<>(List.of(input)));
        conf.getNetworkOutputs().replaceAll(v -> v.equals(input) ? name : v);
    }

    /** The new graph's parameters: converted kernels for the head, every other one copied; all must be used. */
    private static ComputationGraph transfer(ComputationGraph source, ComputationGraphConfiguration conf, Head head) {
        ComputationGraph target = Graphs.uninitialized(conf, source.params().dataType());
        Set<String> unused = new LinkedHashSet<>(source.paramTable().keySet());
        for (Map.Entry<String, INDArray> param : target.paramTable().entrySet()) {
            String[] key = WeightKeys.split(param.getKey());
            INDArray value = source.getParam(param.getKey());
            if (value == null) {
                throw new IllegalStateException("converted graph has a parameter " + param.getKey() + " with no source");
            }
            INDArray into = param.getValue();
            if (head.layers().contains(key[0]) && key[1].equals("W")) {
                // Dense W is [C·kH·kW, out]; its transpose [out, C·kH·kW] read C, H, W-major is the kernel.
                into.assign(value.transpose().dup('c').reshape('c', into.shape()));
            } else {
                into.assign(value.reshape(into.shape()));
            }
            unused.remove(param.getKey());
        }
        if (!unused.isEmpty()) {
            throw new IllegalStateException("conversion left source parameters unused: " + unused);
        }
        return target;
    }
}
