package org.repzoo.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.repzoo.compat.HelperChecks.gradient;
import static org.repzoo.compat.HelperChecks.single;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.repzoo.compat.OneDnn;

/**
 * The plane helper in floats against DL4J's built-in (helper-free) batch norm in doubles, and a hand-computed case.
 * The net is an identity 1x1 conv (its weight gradient, the sum of dx times the input, checks the input gradient),
 * the batch norm, and an MSE loss. The forward test's inputs sit far from zero (mean 50, std 2), where a one-pass
 * E[x^2]-E[x]^2 variance summed in floats fails the tolerance. Planes of 3x5 have an odd size (the loops' tail).
 */
class PlaneBatchNormHelperTest {
    private static final int N = 6;
    private static final int C = 3;
    private static final int H = 3;
    private static final int W = 5;

    private static ComputationGraph graph(DataType type) {
        OneDnn.enable();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(type)
                .updater(new Sgd(0.1)).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(H, W, C))
                .addLayer("mix", new ConvolutionLayer.Builder(1, 1).nOut(C).hasBias(false)
                        .activation(Activation.IDENTITY).build(), "in")
                .addLayer("bn", new BatchNormalization.Builder().nOut(C).useLogStd(false).decay(0.9).build(), "mix")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "bn")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        graph.getLayer("mix").setParam("W", Nd4j.eye(C).castTo(type).reshape(C, C, 1, 1));
        graph.getLayer("bn").setParam("gamma", Nd4j.createFromArray(1.5, -0.5, 2).castTo(type).reshape(1, C));
        graph.getLayer("bn").setParam("beta", Nd4j.createFromArray(0.25, 1, -3).castTo(type).reshape(1, C));
        return graph;
    }

    /** DL4J's built-in batch norm in double precision: the reference. */
    private static ComputationGraph reference() {
        ComputationGraph graph = graph(DataType.DOUBLE);
        BatchNormHelpers.setHelper(bn(graph), null);
        return graph;
    }

    private static ComputationGraph plane() {
        ComputationGraph graph = graph(DataType.FLOAT);
        assertInstanceOf(MKLDNNBatchNormHelper.class, BatchNormHelpers.helperOf(bn(graph)), "oneDNN's to replace");
        assertEquals(1, BatchNormHelpers.install(graph));
        assertInstanceOf(PlaneBatchNormHelper.class, BatchNormHelpers.helperOf(bn(graph)));
        return graph;
    }

    private static INDArray input(long seed, double mean) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, N, C, H, W).muli(2).addi(mean);
    }

    private static INDArray labels(long seed) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, N, C, H, W);
    }

    /** Channel 0 of a 2x1x2x1 batch holds 1, 2, 3, 6: mean 3, biased variance 3.5, so y = (x - 3)/sqrt(3.5 + eps). */
    @Test
    void trainingForwardByHand() {
        OneDnn.enable();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(2, 1, 1))
                .addLayer("bn", new BatchNormalization.Builder().nOut(1).useLogStd(false).eps(1e-5).build(), "in")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "bn")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        assertEquals(1, BatchNormHelpers.install(graph));
        INDArray x = Nd4j.createFromArray(new float[] {1, 2, 3, 6}).reshape(2, 1, 2, 1);
        INDArray y = graph.feedForward(new INDArray[] {x}, true).get("bn");
        double std = Math.sqrt(3.5 + 1e-5);
        assertArrayEquals(new double[] {-2 / std, -1 / std, 0, 3 / std}, doubles(y), 1e-6);
    }

    @Test
    void trainingForwardFarFromZeroMatchesTheDoubleReference() {
        INDArray x = input(1, 50);
        INDArray expected = reference().feedForward(new INDArray[] {x}, true).get("bn");
        INDArray actual = plane().feedForward(new INDArray[] {single(x)}, true).get("bn");
        assertArrayEquals(floats(expected), floats(actual), 2e-5f);
    }

    @Test
    void gradientsMatchTheDoubleReference() {
        Gradient expected = gradient(reference(), input(2, 1), labels(3));
        Gradient actual = gradient(plane(), single(input(2, 1)), single(labels(3)));
        for (String key : new String[] {"bn_gamma", "bn_beta", "mix_W"}) {
            INDArray e = expected.getGradientFor(key);
            assertArrayEquals(floats(e), floats(actual.getGradientFor(key)),
                    1e-4f * (1 + e.amaxNumber().floatValue()), key);
        }
    }

    /**
     * The batch-norm layer alone at inputs of mean 50: dx, dγ and dβ, where Σ dy·x and μ Σ dy are each about 25
     * times their difference (the helper sums dy·(x − μ) instead). The conv's weight gradient is no proxy for dx at
     * this mean: Σ dx·x cancels in any float implementation.
     */
    @Test
    void layerGradientsFarFromZeroMatchTheDoubleReference() {
        INDArray x = input(4, 50);
        INDArray dy = labels(5);
        Pair<Gradient, INDArray> expected = layerBackprop(reference(), x, dy);
        Pair<Gradient, INDArray> actual = layerBackprop(plane(), single(x), single(dy));
        assertArrayEquals(floats(expected.getSecond()), floats(actual.getSecond()), 1e-5f, "dx");
        for (String key : new String[] {"gamma", "beta"}) {
            INDArray e = expected.getFirst().getGradientFor(key);
            assertArrayEquals(floats(e), floats(actual.getFirst().getGradientFor(key)),
                    1e-4f * (1 + e.amaxNumber().floatValue()), key);
        }
    }

    private static Pair<Gradient, INDArray> layerBackprop(ComputationGraph graph, INDArray x, INDArray dy) {
        graph.initGradientsView();
        org.deeplearning4j.nn.layers.normalization.BatchNormalization layer = bn(graph);
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(x, none);
        layer.activate(true, none);
        return layer.backpropGradient(dy, none);
    }

    /** Three SGD steps: weights, running mean and running variance (all in params) stay with the reference's. */
    @Test
    void trainingStepsAndRunningStatisticsMatchTheDoubleReference() {
        ComputationGraph expected = reference();
        ComputationGraph actual = plane();
        for (int step = 0; step < 3; step++) {
            INDArray x = input(10 + step, 1);
            INDArray y = labels(20 + step);
            expected.fit(new INDArray[] {x}, new INDArray[] {y});
            actual.fit(new INDArray[] {single(x)}, new INDArray[] {single(y)});
        }
        assertArrayEquals(floats(expected.params()), floats(actual.params()), 1e-4f);
        INDArray x = input(99, 1);
        assertArrayEquals(floats(expected.outputSingle(x)), floats(actual.outputSingle(single(x))), 1e-4f);
    }

    /** Views in another layout (as a permuted input or gradient arrives) give what their contiguous copies give. */
    @Test
    void stridedViewsMatchContiguousCopies() {
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.randn(DataType.FLOAT, N, H, C, W).permute(0, 2, 1, 3);
        INDArray dy = Nd4j.randn(DataType.FLOAT, N, W, C, H).permute(0, 2, 3, 1);
        INDArray gamma = Nd4j.createFromArray(1.5f, -0.5f, 2f).reshape(1, C);
        INDArray beta = Nd4j.createFromArray(0.25f, 1f, -3f).reshape(1, C);
        float[][] results = new float[2][];
        for (int run = 0; run < 2; run++) {
            INDArray in = run == 0 ? x : x.dup('c');
            INDArray eps = run == 0 ? dy : dy.dup('c');
            PlaneBatchNormHelper helper = new PlaneBatchNormHelper();
            LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
            INDArray y = helper.preOutput(in, true, null, gamma, beta, null, null, 0.9, 1e-5, CNN2DFormat.NCHW, none);
            INDArray dGamma = Nd4j.create(DataType.FLOAT, 1, C);
            INDArray dBeta = Nd4j.create(DataType.FLOAT, 1, C);
            INDArray dx = helper.backpropGradient(in, eps, null, gamma, beta, dGamma, dBeta, 1e-5, CNN2DFormat.NCHW,
                    none).getSecond();
            results[run] = Nd4j.concat(0, y.reshape(-1), dx.reshape(-1), dGamma.reshape(-1), dBeta.reshape(-1))
                    .data().asFloat();
        }
        assertArrayEquals(results[1], results[0], 0f);
    }

    @Test
    void aPropertyKeepsDl4jsHelper() {
        System.setProperty(BatchNormHelpers.KEEP_DL4J, "true");
        try {
            ComputationGraph graph = graph(DataType.FLOAT);
            assertEquals(0, BatchNormHelpers.install(graph));
            assertInstanceOf(MKLDNNBatchNormHelper.class, BatchNormHelpers.helperOf(bn(graph)));
        } finally {
            System.clearProperty(BatchNormHelpers.KEEP_DL4J);
        }
    }

    private static float[] floats(INDArray array) {
        return array.dup('c').data().asFloat();
    }

    private static double[] doubles(INDArray array) {
        return array.dup('c').data().asDouble();
    }

    private static org.deeplearning4j.nn.layers.normalization.BatchNormalization bn(ComputationGraph graph) {
        return (org.deeplearning4j.nn.layers.normalization.BatchNormalization) graph.getLayer("bn");
    }
}
