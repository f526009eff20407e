package org.repzoo.reparam;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.ConvLayers;
import org.repzoo.zoo.core.GraphOrder;

/**
 * Folds every convolution followed only by a BatchNorm into one convolution with bias (inference mode), keeping the
 * convolution's name; a ReLU that is the BatchNorm's only consumer is fused too. For VGG-BN, ResNet, or the branches
 * of a RepVGG graph; the input graph is not changed.
 */
public final class BatchNormFolder {

    /** One conv → BN (→ ReLU) chain. */
    record Pair(String conv, String bn, String relu) {
        List<String> vertices() {
            return relu == null ? List.of(conv, bn) : List.of(conv, bn, relu);
        }

        String output() {
            return relu == null ? bn : relu;
        }
    }

    private BatchNormFolder() {
    }

    public static List<Pair> pairs(ComputationGraphConfiguration conf) {
        List<Pair> pairs = new ArrayList<>();
        for (String name : GraphOrder.topological(conf)) {
            pair(conf, name).ifPresent(pairs::add);
        }
        return pairs;
    }

    public static ComputationGraph foldBatchNorm(ComputationGraph graph) {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        List<Pair> pairs = pairs(conf);
        if (pairs.isEmpty()) {
            throw new IllegalArgumentException("the graph has no convolution followed by a BatchNorm to fold");
        }
        GraphEdit edit = new GraphEdit(conf);
        Map<String, ParamTransfer.KernelWriter> kernels = new HashMap<>();
        Set<String> folded = new LinkedHashSet<>();
        for (Pair pair : pairs) {
            Conv spec = ConvLayers.describe(GraphEdit.layer(conf, pair.conv())).orElseThrow().withBias();
            long nIn = ConvLayers.inputChannels(GraphEdit.layer(conf, pair.conv()));
            edit.replace(pair.vertices(), pair.output(), pair.conv(), ConvLayers.create(pair.relu() == null ? spec : spec.relu(), nIn),
                    conf.getVertexInputs().get(pair.conv()).get(0), (LayerVertex) conf.getVertices().get(pair.conv()));
            kernels.put(pair.conv(), ParamTransfer.KernelWriter.of(KernelMath.foldBatchNorm(
                    ParamTransfer.kernel(graph, pair.conv()), ParamTransfer.batchNorm(graph, pair.bn()))));
            folded.addAll(pair.vertices());
        }
        return ParamTransfer.build(graph, edit.result(), kernels, folded);
    }

    private static Optional<Pair> pair(ComputationGraphConfiguration conf, String conv) {
        Optional<Conv> spec = ConvLayers.describe(GraphEdit.layer(conf, conv));
        if (spec.isEmpty() || spec.get().activation() != Activation.IDENTITY) {
            return Optional.empty();
        }
        List<String> after = GraphEdit.consumers(conf, conv);
        if (after.size() != 1 || !(GraphEdit.layer(conf, after.get(0)) instanceof BatchNormalization)) {
            return Optional.empty();
        }
        String bn = after.get(0);
        List<String> afterBn = GraphEdit.consumers(conf, bn);
        String relu = afterBn.size() == 1 && GraphEdit.layer(conf, afterBn.get(0)) instanceof ActivationLayer a
                && a.getActivationFn() instanceof ActivationReLU && !conf.getNetworkOutputs().contains(bn)
                ? afterBn.get(0) : null;
        return Optional.of(new Pair(conv, bn, relu));
    }
}
