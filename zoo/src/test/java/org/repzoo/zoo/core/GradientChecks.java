package org.repzoo.zoo.core;

import java.util.function.Consumer;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.NoOp;

/** DL4J's numerical gradient check in double precision, as its own tests set it up. */
public final class GradientChecks {

    private GradientChecks() {
    }

    /** Builds the configuration in double precision with no updater and checks every parameter's gradient. */
    public static boolean pass(ComputationGraphConfiguration conf, INDArray input, INDArray labels) {
        return pass(conf, input, labels, net -> { });
    }

    /** As {@link #pass(ComputationGraphConfiguration, INDArray, INDArray)}, with {@code prepare} run on the net after init. */
    public static boolean pass(ComputationGraphConfiguration conf, INDArray input, INDArray labels,
                               Consumer<ComputationGraph> prepare) {
        DataType previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        try {
            conf.setDataType(DataType.DOUBLE);
            for (var vertex : conf.getVertices().values()) {
                if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BaseLayer layer) {
                    layer.setIUpdater(new NoOp());
                    layer.setBiasUpdater(new NoOp());
                }
            }
            ComputationGraph net = new ComputationGraph(conf);
            net.init();
            prepare.accept(net);
            return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                    .inputs(new INDArray[] {input.castTo(DataType.DOUBLE)})
                    .labels(new INDArray[] {labels.castTo(DataType.DOUBLE)}));
        } finally {
            Nd4j.setDefaultDataTypes(previous, previous);
        }
    }
}
