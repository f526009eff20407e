package org.repzoo.compat;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.impl.ActivationIdentity;

/** Which vertices' outputs the layers that train in place ({@link InPlaceRelu}, {@link InPlaceSum}) may overwrite. */
final class Overwritable {
    private Overwritable() {
    }

    /**
     * Whether {@code source}'s output is a tensor of its own (a batch norm's, a convolution's with no activation or a
     * sum's of two or more inputs: not a view of another vertex's), read by one vertex only, not a network input or
     * output, and not read by its maker's backward pass, so that its one reader (reading it once) may overwrite it
     * when training.
     */
    static boolean output(ComputationGraphConfiguration conf, Map<String, List<String>> inputs, String source) {
        if (conf.getNetworkOutputs().contains(source) || conf.getNetworkInputs().contains(source)) {
            return false;
        }
        if (inputs.values().stream().mapToLong(list -> Collections.frequency(list, source)).sum() != 1) {
            return false;
        }
        GraphVertex maker = conf.getVertices().get(source);
        if (maker instanceof ElementWiseVertex sum) {
            return sum.getOp() == ElementWiseVertex.Op.Add && inputs.get(source).size() >= 2;
        }
        if (!(maker instanceof LayerVertex layerVertex) || layerVertex.getPreProcessor() != null) {
            return false;
        }
        Layer layer = layerVertex.getLayerConf().getLayer();
        // DL4J's batch-norm layer applies no activation, whatever its configuration says.
        return layer instanceof BatchNormalization
                || layer.getClass() == ConvolutionLayer.class
                   && ((ConvolutionLayer) layer).getActivationFn() instanceof ActivationIdentity;
    }
}
