package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;

/** Layers built by GraphScope compute PyTorch's formulas (written out here by hand), with oneDNN on. */
class LayerSemanticsTest {

    private static ComputationGraph build(GraphScope root, String last) {
        OneDnn.enable();
        ComputationGraph net = new ComputationGraph(root.build(root.loss("loss", root.globalAvgPool("gap", last))));
        net.init();
        return net;
    }

    /** BatchNorm2d in eval mode, then ReLU: max(0, gamma * (x - mean) / sqrt(var + eps) + beta). */
    @Test
    void batchNormWithFusedReluUsesRunningVarianceAndEps() {
        GraphScope root = GraphScope.start("t", InputShape.of(2, 3, 3), 1);
        ComputationGraph net = build(root, root.relu("relu", root.batchNorm("bn", GraphScope.INPUT, 1e-3)));
        double[] gamma = {1.5, -0.5};
        double[] beta = {0.1, 0.2};
        double[] mean = {0.3, -0.4};
        double[] var = {0.7, 1.3};
        net.getParam("bn_gamma").assign(Nd4j.createFromArray(gamma).castTo(DataType.FLOAT).reshape(1, 2));
        net.getParam("bn_beta").assign(Nd4j.createFromArray(beta).castTo(DataType.FLOAT).reshape(1, 2));
        net.getParam("bn_mean").assign(Nd4j.createFromArray(mean).castTo(DataType.FLOAT).reshape(1, 2));
        net.getParam("bn_var").assign(Nd4j.createFromArray(var).castTo(DataType.FLOAT).reshape(1, 2));
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 2, 3, 3);
        INDArray y = net.feedForward(x, false).get("relu");
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 2; c++) {
                for (int i = 0; i < 9; i++) {
                    double in = x.getDouble(n, c, i / 3, i % 3);
                    double expected = Math.max(0, gamma[c] * (in - mean[c]) / Math.sqrt(var[c] + 1e-3) + beta[c]);
                    assertEquals(expected, y.getDouble(n, c, i / 3, i % 3), 1e-5);
                }
            }
        }
    }

    /** A ReLU fused into a convolution is applied (unlike one set on DL4J's BatchNormalization, which is ignored). */
    @Test
    void reluFusedIntoAConvolutionIsApplied() {
        GraphScope root = GraphScope.start("t", InputShape.of(2, 5, 5), 1);
        String plain = root.conv("plain", GraphScope.INPUT, Conv.of(3, 3).padding(1));
        root.conv("fused", GraphScope.INPUT, Conv.of(3, 3).padding(1).relu());
        OneDnn.enable();
        ComputationGraph net = new ComputationGraph(root.build(root.loss("loss", root.globalAvgPool("gap", plain)), "fused"));
        net.init();
        net.getParam("fused_W").assign(net.getParam("plain_W"));
        net.getParam("fused_b").assign(0.1);
        net.getParam("plain_b").assign(0.1);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 2, 5, 5);
        var activations = net.feedForward(x, false);
        INDArray expected = org.nd4j.linalg.ops.transforms.Transforms.relu(activations.get("plain"), true);
        assertEquals(expected, activations.get("fused"));
        assertTrue(activations.get("plain").minNumber().doubleValue() < 0);
    }

    /** nn.LocalResponseNorm(5, 1e-4, 0.75, 2): b_c = a_c / (k + alpha/n * sum_{|c'-c|<=2} a_c'^2)^beta. */
    @Test
    void localResponseNormMatchesPyTorchsFormula() {
        GraphScope root = GraphScope.start("t", InputShape.of(7, 2, 2), 1);
        ComputationGraph net = build(root, root.localResponseNorm("lrn", GraphScope.INPUT, 5, 1e-4, 0.75, 2.0));
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 7, 2, 2).muli(100); // large, so alpha matters
        INDArray y = net.feedForward(x, false).get("lrn");
        for (int c = 0; c < 7; c++) {
            double sum = 0;
            for (int d = Math.max(0, c - 2); d <= Math.min(6, c + 2); d++) {
                sum += Math.pow(x.getDouble(0, d, 1, 0), 2);
            }
            double expected = x.getDouble(0, c, 1, 0) / Math.pow(2.0 + 1e-4 / 5 * sum, 0.75);
            assertEquals(expected, y.getDouble(0, c, 1, 0), 1e-4 * Math.abs(expected));
        }
    }

    /** Dropout(p) uses PyTorch's p (drop probability): in training about p of the activations are zero. */
    @Test
    void dropoutTakesTheDropProbability() {
        GraphScope root = GraphScope.start("t", InputShape.of(1, 100, 100), 1);
        ComputationGraph net = build(root, root.dropout("drop", GraphScope.INPUT, 0.7));
        INDArray y = net.feedForward(Nd4j.ones(DataType.FLOAT, 1, 1, 100, 100), true).get("drop");
        double zeros = y.eq(0).castTo(DataType.FLOAT).meanNumber().doubleValue();
        assertEquals(0.7, zeros, 0.03);
        assertEquals(1 / 0.3, y.maxNumber().doubleValue(), 1e-4); // inverted dropout scales the kept ones
    }
}
