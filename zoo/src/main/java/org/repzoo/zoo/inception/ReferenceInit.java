package org.repzoo.zoo.inception;

import java.util.function.ToDoubleFunction;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.GraphOrder;

/** The weight initialisations of the references, applied after {@code ComputationGraph.init()}. */
final class ReferenceInit {

    private ReferenceInit() {
    }

    /**
     * torchvision's {@code init_weights}: {@code trunc_normal_(0, std, a=-2, b=2)} on every convolution and linear
     * weight (the bounds lie 20 standard deviations out at std 0.1, so a plain normal draw is the same law in practice)
     * and {@code nn.Linear}'s default bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)); BatchNorm keeps DL4J's 1 and 0.
     *
     * @param std the standard deviation for a vertex name
     */
    static void torchvision(ComputationGraph graph, ToDoubleFunction<String> std) {
        forEachWeightLayer(graph, (name, layer) -> {
            INDArray weight = graph.getParam(name + "_W");
            weight.assign(Nd4j.randn(weight.dataType(), weight.shape()).muli(std.applyAsDouble(name)));
            if (!(layer instanceof ConvolutionLayer)) {
                INDArray bias = graph.getParam(name + "_b");
                double bound = 1.0 / Math.sqrt(((FeedForwardLayer) layer).getNIn());
                bias.assign(Nd4j.rand(bias.dataType(), bias.shape()).muli(2 * bound).subi(bound));
            }
        });
    }

    /**
     * Caffe's fillers in {@code bvlc_googlenet}: {@code xavier} (uniform with variance 1/fan_in) for every weight,
     * constant 0.2 for every bias but the classifiers' (0).
     */
    static void caffe(ComputationGraph graph) {
        forEachWeightLayer(graph, (name, layer) -> {
            INDArray weight = graph.getParam(name + "_W");
            long fanIn = weight.length() / (layer instanceof ConvolutionLayer ? weight.size(0) : weight.size(1));
            double bound = Math.sqrt(3.0 / fanIn);
            weight.assign(Nd4j.rand(weight.dataType(), weight.shape()).muli(2 * bound).subi(bound));
            graph.getParam(name + "_b").assign(layer instanceof BaseOutputLayer ? 0.0 : 0.2);
        });
    }

    private interface WeightLayer {
        void accept(String name, Layer layer);
    }

    private static void forEachWeightLayer(ComputationGraph graph, WeightLayer action) {
        var conf = graph.getConfiguration();
        for (String name : GraphOrder.topological(conf)) { // a fixed order: the same seed gives the same weights
            GraphVertex vertex = conf.getVertices().get(name);
            if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof FeedForwardLayer layer
                    && (layer instanceof ConvolutionLayer || layer instanceof DenseLayer || layer instanceof BaseOutputLayer)) {
                action.accept(name, layer);
            }
        }
    }
}
