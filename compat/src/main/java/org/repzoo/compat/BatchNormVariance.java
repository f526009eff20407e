package org.repzoo.compat;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;

/**
 * Batch norm that stores the variance survives a JSON round trip of its configuration. M2.1's JSON reader re-derives
 * {@code useLogStd} of every BatchNormalization from the layer's registered variables, which only
 * {@code ComputationGraph.init()} fills in. A configuration serialised before init (as Spark ships it to executors,
 * or as a user saves it) therefore comes back storing log10(std) where the weights hold the variance.
 */
public final class BatchNormVariance {

    private BatchNormVariance() {
    }

    /** Registers each batch norm's variables on its layer, which makes the round trip exact; returns {@code conf}. */
    public static ComputationGraphConfiguration pin(ComputationGraphConfiguration conf) {
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization bn) {
                bn.initializer().paramKeys(bn).forEach(lv.getLayerConf()::addVariable);
            }
        }
        return conf;
    }
}
