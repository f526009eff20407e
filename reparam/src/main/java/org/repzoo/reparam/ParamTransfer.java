package org.repzoo.reparam;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.ConvLayers;
import org.repzoo.zoo.core.Graphs;
import org.repzoo.zoo.core.WeightKeys;

/**
 * Builds the converted graph: new convolutions get their computed kernels, every other parameter is copied from
 * the source unchanged, and every source parameter must have been used (copied or folded) — a conversion that
 * silently dropped weights would be wrong.
 */
final class ParamTransfer {

    private ParamTransfer() {
    }

    /** Fills a new convolution: writes its weight into the given parameter view and returns its bias. */
    @FunctionalInterface
    interface KernelWriter {
        INDArray writeWeight(INDArray weight);

        static KernelWriter of(Kernel kernel) {
            return weight -> {
                weight.assign(kernel.weight().reshape(weight.shape()));
                return kernel.bias();
            };
        }
    }

    static ComputationGraph build(ComputationGraph source, ComputationGraphConfiguration conf,
                                  Map<String, KernelWriter> kernels, Set<String> foldedVertices) {
        ComputationGraph target = Graphs.uninitialized(conf, source.params().dataType());
        for (Map.Entry<String, KernelWriter> kernel : kernels.entrySet()) {
            INDArray bias = kernel.getValue().writeWeight(target.getParam(kernel.getKey() + "_W"));
            INDArray biasParam = target.getParam(kernel.getKey() + "_b");
            biasParam.assign(bias.reshape(biasParam.shape()));
        }
        Set<String> unused = new LinkedHashSet<>(source.paramTable().keySet());
        for (Map.Entry<String, INDArray> param : target.paramTable().entrySet()) {
            if (kernels.containsKey(WeightKeys.split(param.getKey())[0])) {
                continue;
            }
            INDArray value = source.getParam(param.getKey());
            if (value == null) {
                throw new IllegalStateException("converted graph has a parameter " + param.getKey() + " with no source");
            }
            param.getValue().assign(value);
            unused.remove(param.getKey());
        }
        unused.removeIf(key -> foldedVertices.contains(WeightKeys.split(key)[0]));
        if (!unused.isEmpty()) {
            throw new IllegalStateException("conversion left source parameters unused: " + unused);
        }
        return target;
    }

    /** A source convolution's kernel in PyTorch layout (a zero bias where it has none). */
    static Kernel kernel(ComputationGraph graph, String conv) {
        INDArray weight = graph.getParam(conv + "_W");
        INDArray bias = ConvLayers.hasBias(GraphEdit.layer(graph.getConfiguration(), conv))
                ? graph.getParam(conv + "_b").reshape(-1) : Nd4j.zeros(weight.dataType(), weight.size(0));
        return new Kernel(weight, bias); // views of the source: read, never written
    }

    static BatchNormStats batchNorm(ComputationGraph graph, String bn) {
        BatchNormalization layer = (BatchNormalization) GraphEdit.layer(graph.getConfiguration(), bn);
        if (layer.isUseLogStd()) {
            throw new IllegalArgumentException(bn + " stores log-std; RepZoo's graphs store the variance");
        }
        return new BatchNormStats(graph.getParam(bn + "_gamma").reshape(-1), graph.getParam(bn + "_beta").reshape(-1),
                graph.getParam(bn + "_mean").reshape(-1), graph.getParam(bn + "_var").reshape(-1), layer.getEps());
    }
}
