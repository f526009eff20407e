package org.repzoo.training.recipe;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.Inits;

/** Small graphs with every kind of parameter a recipe treats differently: conv weight and bias, BatchNorm, dense. */
public final class TinyGraphs {

    public static final String CONV = "features.0";
    public static final String BN = "features.1";
    public static final String FC = "fc";
    public static final String AUX = "aux.fc";

    private TinyGraphs() {
    }

    /** conv (with bias) -> BN -> ReLU -> global pool -> fc; with {@code auxiliary}, a second output after the conv. */
    public static ComputationGraphConfiguration convBnFc(int classes, AuxHead auxiliary) {
        GraphScope root = GraphScope.start("tiny", InputShape.of(2, 6, 6), 11);
        String x = root.conv(CONV, GraphScope.INPUT, Conv.of(4, 3).padding(1).withBias());
        x = root.batchNorm(BN, x, 1e-5);
        x = root.relu("features.2", x);
        String pooled = root.globalAvgPool("avgpool", x);
        String main = root.logits(FC, pooled, classes, Inits.linearDefault(4));
        if (auxiliary == AuxHead.NONE) {
            return root.build(main);
        }
        String auxPooled = root.globalAvgPool("aux.pool", CONV);
        return root.build(main, root.logits(AUX, auxPooled, classes, Inits.linearDefault(4), 0.5));
    }

    /** Whether the tiny graph has an auxiliary classifier output. */
    public enum AuxHead { NONE, ONE }
}
