package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.gradientcheck.GradientCheckUtil;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.ILossFunction;

/**
 * The registry-wide check's own parts against DL4J's GradientCheckUtil on a small residual net with batch norm:
 * {@link GradientChecks#probe} passes and fails exactly where GradientCheckUtil does, element for element, and
 * {@link InferenceBatchNorm} computes DL4J's inference-mode batch norm and its exact gradient.
 */
class GradientChecksTest {

    private static final int CLASSES = 3;
    private DataType previous;
    private int threads;

    /** Doubles, as gradient checks need, on one native thread (these nets are too small to share out). */
    @BeforeEach
    void doubles() {
        threads = org.repzoo.compat.Threads.current();
        org.repzoo.compat.Threads.set(1);
        previous = Nd4j.dataType();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        Nd4j.getRandom().setSeed(7);
    }

    @AfterEach
    void restore() {
        Nd4j.setDefaultDataTypes(previous, previous);
        org.repzoo.compat.Threads.set(threads);
    }

    /** conv, BN, ReLU, conv, BN, a residual sum, pooling, a classifier, two channels throughout: 93 parameters. */
    private static ComputationGraphConfiguration residualNet() {
        GraphScope root = GraphScope.start("t", InputShape.of(2, 4, 4), 3);
        String x = root.conv("conv1", GraphScope.INPUT, Conv.of(2, 3).padding(1));
        x = root.relu("relu1", root.batchNorm("bn1", x, 1e-5));
        String y = root.batchNorm("bn2", root.conv("conv2", x, Conv.of(2, 3).padding(1)), 1e-5);
        x = root.relu("relu2", root.add("add", x, y));
        return GradientChecks.forChecking(root.build(root.logits("fc", root.globalAvgPool("pool", x), CLASSES,
                Inits.linearDefault(2))));
    }

    private static ComputationGraph init(ComputationGraphConfiguration conf) {
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        assertEquals(2, InferenceBatchNorm.install(net));
        // Running statistics away from 0 and 1, so that the inference-mode pass depends on them.
        for (String bn : List.of("bn1", "bn2")) {
            net.getParam(bn + "_mean").assign(Nd4j.rand(DataType.DOUBLE, 1, 2).subi(0.5));
            net.getParam(bn + "_var").assign(Nd4j.rand(DataType.DOUBLE, 1, 2).addi(0.5));
        }
        return net;
    }

    private static INDArray input() {
        return Nd4j.randn(DataType.DOUBLE, 3, 2, 4, 4);
    }

    private static INDArray labels() {
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 3, CLASSES);
        for (int i = 0; i < 3; i++) {
            labels.putScalar(i, i, 1);
        }
        return labels;
    }

    private static boolean gradientCheckUtil(ComputationGraph net, INDArray input, INDArray labels) {
        return GradientCheckUtil.checkGradients(new GradientCheckUtil.GraphConfig().net(net)
                .inputs(new INDArray[] {input}).labels(new INDArray[] {labels})
                .excludeParams(Set.of("bn1_mean", "bn1_var", "bn2_mean", "bn2_var")).exitOnFirstError(true));
    }

    private static List<GradientChecks.Probe> everyLearnedElement(ComputationGraph net, INDArray input,
                                                                  INDArray labels) {
        return GradientChecks.probe(net, new INDArray[] {input}, new INDArray[] {labels}, (parameter, gradient) ->
                parameter.endsWith("_mean") || parameter.endsWith("_var") ? new long[0]
                        : GradientChecks.everyElement().elements(parameter, gradient));
    }

    @Test
    void inferenceBatchNormIsDl4jsInferenceModeAndItsGradientChecks() {
        ComputationGraph net = init(residualNet());
        INDArray input = input();
        ComputationGraph plain = new ComputationGraph(residualNet());
        plain.init(net.params().dup(), false);
        // A training pass through the helper computes what DL4J's own layer does in inference mode.
        INDArray expected = plain.output(false, input)[0];
        assertTrue(expected.equalsWithEps(net.output(true, input)[0], 1e-12));
        assertFalse(expected.equalsWithEps(plain.output(true, input)[0], 1e-3), "training mode differs");
        assertTrue(gradientCheckUtil(net, input, labels()));
    }

    @Test
    void probingEveryElementAgreesWithGradientCheckUtil() {
        ComputationGraph net = init(residualNet());
        INDArray input = input();
        List<GradientChecks.Probe> probes = everyLearnedElement(net, input, labels());
        // conv1 W and b, bn1 gamma and beta, conv2, bn2, fc W and b
        assertEquals(2 * (2 * 2 * 9 + 2 + 2 + 2) + 2 * CLASSES + CLASSES, probes.size());
        assertTrue(probes.stream().allMatch(GradientChecks.Probe::passes), probes.toString());
        assertTrue(gradientCheckUtil(net, input, labels()));
        assertEquals(net.paramTable().keySet(), GradientChecks.offsets(net.paramTable(), net.params()).keySet());
    }

    /** A loss whose gradient is 1% off: both checks fail, on the elements whose gradient the error reaches. */
    @Test
    void aGradientOnePercentOffFailsBothChecks() {
        ComputationGraphConfiguration conf = residualNet();
        BaseOutputLayer fc = (BaseOutputLayer) ((LayerVertex) conf.getVertices().get("fc")).getLayerConf().getLayer();
        fc.setLossFn(new SkewedGradient(fc.getLossFn(), 1.01));
        ComputationGraph net = init(conf);
        INDArray input = input();
        List<GradientChecks.Probe> probes = everyLearnedElement(net, input, labels());
        List<GradientChecks.Probe> failed = probes.stream().filter(p -> !p.passes()).toList();
        assertTrue(failed.size() > probes.size() / 2, failed.size() + " of " + probes.size() + " failed");
        assertTrue(failed.stream().allMatch(p -> Math.abs(p.backprop() / p.numerical() - 1.01) < 1e-3), failed
                .toString());
        assertFalse(gradientCheckUtil(net, input, labels()));
    }

    /** A loss that reports {@code factor} times its gradient. */
    private record SkewedGradient(ILossFunction loss, double factor) implements ILossFunction {

        @Override
        public double computeScore(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask,
                                   boolean average) {
            return loss.computeScore(labels, preOutput, activation, mask, average);
        }

        @Override
        public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activation,
                                          INDArray mask) {
            return loss.computeScoreArray(labels, preOutput, activation, mask);
        }

        @Override
        public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activation, INDArray mask) {
            return loss.computeGradient(labels, preOutput, activation, mask).muli(factor);
        }

        @Override
        public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
                                                              IActivation activation, INDArray mask,
                                                              boolean average) {
            return new Pair<>(computeScore(labels, preOutput, activation, mask, average),
                    computeGradient(labels, preOutput, activation, mask));
        }

        @Override
        public String name() {
            return "skewed " + loss.name();
        }
    }
}
