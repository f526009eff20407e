package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LogitsCrossEntropyTest {

    private final LogitsCrossEntropy loss = new LogitsCrossEntropy();

    /** -log softmax(z)_y by hand: z = (1, 2, 3), y = 2 gives log(e + e^2 + e^3) - 3 = 0.40760596. */
    @Test
    void scoreIsMinusLogSoftmaxOfTheTrueClass() {
        INDArray logits = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {1000, 0, -1000}});
        INDArray labels = Nd4j.createFromArray(new double[][] {{0, 0, 1}, {1, 0, 0}});
        INDArray scores = loss.computeScoreArray(labels, logits, new ActivationIdentity(), null);
        assertEquals(0.40760596444, scores.getDouble(0, 0), 1e-9);
        assertEquals(0, scores.getDouble(1, 0), 1e-9); // stable for huge logits
        assertEquals(0.40760596444 / 2, loss.computeScore(labels, logits, new ActivationIdentity(), null, true), 1e-9);
    }

    @Test
    void gradientIsSoftmaxMinusLabels() {
        INDArray logits = Nd4j.createFromArray(new double[][] {{1, 2, 3}});
        INDArray labels = Nd4j.createFromArray(new double[][] {{0, 1, 0}});
        INDArray grad = loss.computeGradient(labels, logits, new ActivationIdentity(), null);
        double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
        assertEquals(Math.exp(1) / sum, grad.getDouble(0, 0), 1e-12);
        assertEquals(Math.exp(2) / sum - 1, grad.getDouble(0, 1), 1e-12);
        assertEquals(Math.exp(3) / sum, grad.getDouble(0, 2), 1e-12);
    }

    @Test
    void maskedExamplesContributeNothing() {
        INDArray logits = Nd4j.createFromArray(new double[][] {{1, 2, 3}, {3, 2, 1}});
        INDArray labels = Nd4j.createFromArray(new double[][] {{0, 0, 1}, {0, 0, 1}});
        INDArray mask = Nd4j.createFromArray(new double[] {1, 0}).reshape(2, 1);
        assertEquals(0, loss.computeScoreArray(labels, logits, new ActivationIdentity(), mask).getDouble(1, 0), 0);
        assertEquals(0, loss.computeGradient(labels, logits, new ActivationIdentity(), mask).getRow(1).sumNumber().doubleValue(), 0);
    }

    @Test
    void aGraphWithThisLossPassesGradientCheck() {
        GraphScope root = GraphScope.start("t", InputShape.of(2, 4, 4), 3);
        String x = root.conv("conv", GraphScope.INPUT, Conv.of(3, 3).padding(1).relu());
        x = root.globalAvgPool("pool", x);
        ComputationGraphConfiguration conf = root.build(root.logits("fc", x, 4, Inits.linearDefault(3)));
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        for (int i = 0; i < 3; i++) {
            labels.putScalar(i, i, 1);
        }
        assertTrue(GradientChecks.pass(conf, Nd4j.rand(DataType.DOUBLE, 3, 2, 4, 4), labels));
    }

    /** A weight w scales score and gradient: w * (-log softmax(z)_y) and w * (softmax(z) - y). */
    @Test
    void aWeightScalesScoreAndGradient() {
        LogitsCrossEntropy weighted = new LogitsCrossEntropy(0.3);
        INDArray logits = Nd4j.createFromArray(new double[][] {{1, 2, 3}});
        INDArray labels = Nd4j.createFromArray(new double[][] {{0, 0, 1}});
        assertEquals(0.3 * 0.40760596444, weighted.computeScore(labels, logits, new ActivationIdentity(), null, true), 1e-9);
        double sum = Math.exp(1) + Math.exp(2) + Math.exp(3);
        INDArray grad = weighted.computeGradient(labels, logits, new ActivationIdentity(), null);
        assertEquals(0.3 * (Math.exp(3) / sum - 1), grad.getDouble(0, 2), 1e-12);
        assertEquals(0.3 * Math.exp(1) / sum, grad.getDouble(0, 0), 1e-12);
    }

    @Test
    void aWeightedClassifierPassesGradientCheck() {
        GraphScope root = GraphScope.start("t", InputShape.of(2, 4, 4), 3);
        String x = root.conv("conv", GraphScope.INPUT, Conv.of(3, 3).padding(1).relu());
        x = root.globalAvgPool("pool", x);
        ComputationGraphConfiguration conf = root.build(root.logits("fc", x, 4, Inits.linearDefault(3), 0.3));
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 3, 4);
        for (int i = 0; i < 3; i++) {
            labels.putScalar(i, i, 1);
        }
        assertTrue(GradientChecks.pass(conf, Nd4j.rand(DataType.DOUBLE, 3, 2, 4, 4), labels));
    }

    /** The weight is part of the JSON; a configuration written before it existed reads back with weight 1. */
    @Test
    void theWeightSurvivesJsonAndIsOneWhenAbsent() {
        GraphScope root = GraphScope.start("t", InputShape.of(2, 4, 4), 3);
        String x = root.globalAvgPool("pool", GraphScope.INPUT);
        ComputationGraphConfiguration conf = root.build(root.logits("fc", x, 4, Inits.linearDefault(2), 0.3),
                root.logits("plain", x, 4, Inits.linearDefault(2)));
        String json = conf.toJson();
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, restored);
        assertEquals(0.3, lossOf(restored, "fc").getWeight());
        String withoutWeights = json.replaceAll(",\\s*\"weight\"\\s*:\\s*[0-9.]+", "");
        assertTrue(withoutWeights.length() < json.length(), "the JSON names the weight");
        ComputationGraphConfiguration old = ComputationGraphConfiguration.fromJson(withoutWeights);
        assertEquals(1.0, lossOf(old, "fc").getWeight());
        assertEquals(1.0, lossOf(old, "plain").getWeight());
    }

    private static LogitsCrossEntropy lossOf(ComputationGraphConfiguration conf, String vertex) {
        var layer = ((org.deeplearning4j.nn.conf.graph.LayerVertex) conf.getVertices().get(vertex)).getLayerConf().getLayer();
        return (LogitsCrossEntropy) ((org.deeplearning4j.nn.conf.layers.BaseOutputLayer) layer).getLossFn();
    }
}
