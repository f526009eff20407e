package org.repzoo.zoo.core;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;

/** Fixes for DL4J 1.0.0-M2.1 behaviour that would silently change a RepZoo graph. */
public final class Dl4jWorkarounds {

    private Dl4jWorkarounds() {
    }

    /**
     * M2.1's JSON reader re-derives {@code useLogStd} of every BatchNormalization from the layer's registered
     * variables, which only {@code ComputationGraph.init()} fills in. A configuration serialised before init (as
     * Spark ships it to executors, or as a user saves it) therefore comes back storing log10(std) where the weights
     * hold the variance. Registering the variables when the configuration is built makes the round trip exact.
     */
    public static ComputationGraphConfiguration pinBatchNormVariance(ComputationGraphConfiguration conf) {
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization bn) {
                bn.initializer().paramKeys(bn).forEach(lv.getLayerConf()::addVariable);
            }
        }
        return conf;
    }
}
