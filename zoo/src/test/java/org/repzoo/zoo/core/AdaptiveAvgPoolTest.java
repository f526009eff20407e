package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class AdaptiveAvgPoolTest {

    private static ComputationGraphConfiguration conf(InputShape input, int out) {
        GraphScope root = GraphScope.start("t", input, 7);
        String x = root.conv("conv", GraphScope.INPUT, Conv.of(2, 1));
        x = root.adaptiveAvgPool("avgpool", x, out, out);
        return root.build(root.logits("fc", x, 3, Inits.normal(0.5)));
    }

    private static ComputationGraph net(InputShape input, int out) {
        ComputationGraph net = new ComputationGraph(conf(input, out));
        net.init();
        return net;
    }

    /**
     * AdaptiveAvgPool2d(3) on a 5-wide axis uses bins [0,2), [1,4), [3,5) (PyTorch's floor/ceil rule): overlapping,
     * so no fixed pooling window reproduces it. The expected values are those bin means, worked by hand.
     */
    @Test
    void overlappingBinsMatchPyTorchsRule() {
        ComputationGraph net = net(InputShape.of(1, 5, 5), 3);
        net.getParam("conv_W").assign(1);
        net.getParam("conv_b").assign(0);
        INDArray input = Nd4j.arange(25).reshape(1, 1, 5, 5).castTo(DataType.FLOAT);
        INDArray pooled = net.feedForward(input, false).get("avgpool");
        // rows bins {0,1},{1,2,3},{3,4}; value(y,x) = 5y + x, so a bin's mean is 5*mean(y) + mean(x)
        double[] means = {0.5, 2, 3.5};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(5 * means[i] + means[j], pooled.getDouble(0, 0, i, j), 1e-5);
            }
        }
    }

    @Test
    void equalSizesPassThroughUnchanged() {
        ComputationGraph net = net(InputShape.of(1, 7, 7), 7);
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 1, 7, 7);
        assertEquals(net.feedForward(input, false).get("conv"), net.feedForward(input, false).get("avgpool"));
    }

    @Test
    void upsamplingFromOnePixelRepeatsIt() {
        ComputationGraph net = net(InputShape.of(1, 1, 1), 7);
        INDArray pooled = net.feedForward(Nd4j.ones(DataType.FLOAT, 1, 1, 1, 1), false).get("avgpool");
        assertArrayEquals(new long[] {1, 2, 7, 7}, pooled.shape());
        assertEquals(pooled.getDouble(0, 0, 0, 0), pooled.getDouble(0, 0, 6, 3), 0);
    }

    @Test
    void gradientsPassDl4jsGradientCheck() {
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 1, 5, 6);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        labels.putScalar(0, 1, 1);
        labels.putScalar(1, 2, 1);
        assertTrue(GradientChecks.pass(conf(InputShape.of(1, 5, 6), 3), input, labels));
    }
}
