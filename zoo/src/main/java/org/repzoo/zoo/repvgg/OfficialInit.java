package org.repzoo.zoo.repvgg;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.GraphOrder;

/**
 * The official repository's fresh weights: {@code repvgg.py} sets no initialisation, so every {@code nn.Conv2d} keeps
 * PyTorch's default. RepZoo's convolutions default to torchvision's Kaiming-normal fan-out, whose weights are about
 * 1.7x larger here; behind a BatchNorm a larger weight means a smaller effective learning rate and weight decay, so a
 * RepVGG trained from the torchvision init learns more slowly than the paper's.
 */
final class OfficialInit {

    private OfficialInit() {
    }

    /**
     * {@code nn.Conv2d.reset_parameters}: {@code kaiming_uniform_(a=sqrt(5))}, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in))
     * with fan_in = in/groups x kh x kw, on every convolution weight, and the bias (the SE block's) from the same
     * range. BatchNorm keeps 1 and 0; the classifier is built with {@code nn.Linear}'s default already.
     */
    static void apply(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        for (String name : GraphOrder.topological(conf)) { // a fixed order: the same seed gives the same weights
            if (conf.getVertices().get(name) instanceof LayerVertex vertex
                    && vertex.getLayerConf().getLayer() instanceof ConvolutionLayer conv) {
                INDArray weight = graph.getParam(name + "_W");
                double bound = 1.0 / Math.sqrt((double) weight.length() / weight.size(0));
                uniform(weight, bound);
                if (conv.hasBias()) {
                    uniform(graph.getParam(name + "_b"), bound);
                }
            }
        }
    }

    private static void uniform(INDArray target, double bound) {
        target.assign(Nd4j.rand(target.dataType(), target.shape()).muli(2 * bound).subi(bound));
    }
}
