package org.repzoo.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.repzoo.compat.HelperChecks.gradient;
import static org.repzoo.compat.HelperChecks.single;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * The oneDNN training convolution in floats against DL4J's built-in (helper-free) convolution in doubles: outputs,
 * every parameter's gradient, the input's gradient (through the layer before), and three SGD steps. The net covers
 * what the zoo's training graphs use: 3x3 stride 2 with explicit padding and a bias (5x4 out of 9x7: bottom and right
 * padding smaller than top and left), 1x1 stride 2 without bias on 5x4 (the last column in no window: the input is
 * cropped), 3x3 stride 2 in Same mode with tanh, and a dilated layer, which the helper leaves to DL4J.
 */
class OneDnnConvolutionHelperTest {
    private static final int N = 4;
    private static final int C = 3;
    private static final int H = 9;
    private static final int W = 7;
    private static final List<String> CONVOLUTIONS = List.of("a", "b", "c", "d");

    private static ComputationGraph graph(DataType type) {
        OneDnn.enable();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(type)
                .updater(new Sgd(0.05)).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(H, W, C))
                .addLayer("a", new ConvolutionLayer.Builder(3, 3).stride(2, 2).padding(1, 1).nOut(5)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build(), "in")
                .addLayer("b", new ConvolutionLayer.Builder(1, 1).stride(2, 2).nOut(6).hasBias(false)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build(), "a")
                .addLayer("c", new ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(4)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.TANH).build(), "b")
                .addLayer("d", new ConvolutionLayer.Builder(3, 3).dilation(2, 2).nOut(2)
                        .convolutionMode(ConvolutionMode.Same).activation(Activation.IDENTITY).build(), "c")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "d")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** DL4J's built-in convolution in double precision: the reference. */
    private static ComputationGraph reference() {
        ComputationGraph graph = graph(DataType.DOUBLE);
        for (String name : CONVOLUTIONS) {
            ConvolutionHelpers.setHelper(conv(graph, name), null);
        }
        return graph;
    }

    private static ComputationGraph oneDnn() {
        ComputationGraph graph = graph(DataType.FLOAT);
        graph.setParams(reference().params().castTo(DataType.FLOAT));
        assertInstanceOf(MKLDNNConvHelper.class, ConvolutionHelpers.helperOf(conv(graph, "a")), "oneDNN's to replace");
        assertEquals(CONVOLUTIONS.size(), ConvolutionHelpers.install(graph));
        assertInstanceOf(OneDnnConvolutionHelper.class, ConvolutionHelpers.helperOf(conv(graph, "a")));
        return graph;
    }

    private static org.deeplearning4j.nn.layers.convolution.ConvolutionLayer conv(ComputationGraph graph,
                                                                                  String name) {
        return (org.deeplearning4j.nn.layers.convolution.ConvolutionLayer) graph.getLayer(name);
    }

    private static INDArray input(long seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, n, C, H, W);
    }

    private static INDArray labels(long seed, int n) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, n, 2, 2, 1);
    }

    @Test
    void activationsMatchTheDoubleReference() {
        ComputationGraph reference = reference();
        ComputationGraph oneDnn = oneDnn();
        for (int n : new int[] {N, 1, N}) {
            INDArray x = input(n, n);
            Map<String, INDArray> expected = reference.feedForward(new INDArray[] {x}, true);
            Map<String, INDArray> actual = oneDnn.feedForward(new INDArray[] {single(x)}, true);
            for (String name : CONVOLUTIONS) {
                assertClose(expected.get(name), actual.get(name), 1e-5, name + " at batch " + n);
            }
        }
    }

    @Test
    void gradientsMatchTheDoubleReference() {
        ComputationGraph reference = reference();
        ComputationGraph oneDnn = oneDnn();
        for (int n : new int[] {N, 2}) {
            Gradient expected = gradient(reference, input(30 + n, n), labels(40 + n, n));
            Gradient actual = gradient(oneDnn, single(input(30 + n, n)), single(labels(40 + n, n)));
            assertEquals(expected.gradientForVariable().keySet(), actual.gradientForVariable().keySet());
            for (String key : expected.gradientForVariable().keySet()) {
                assertClose(expected.getGradientFor(key), actual.getGradientFor(key), 1e-4, key);
            }
        }
    }

    /** Three SGD steps: the parameters (updated in place through DL4J's views) stay with the reference's. */
    @Test
    void trainingStepsMatchTheDoubleReference() {
        ComputationGraph expected = reference();
        ComputationGraph actual = oneDnn();
        for (int step = 0; step < 3; step++) {
            expected.fit(new INDArray[] {input(10 + step, N)}, new INDArray[] {labels(20 + step, N)});
            actual.fit(new INDArray[] {single(input(10 + step, N))}, new INDArray[] {single(labels(20 + step, N))});
        }
        assertClose(expected.params(), actual.params(), 1e-4, "parameters after three steps");
    }

    @Test
    void dilationAndNhwcAreLeftToDl4jCroppingIsNot() {
        OneDnnConvolutionHelper helper = new OneDnnConvolutionHelper(true, true);
        INDArray x = Nd4j.rand(DataType.FLOAT, N, C, H, W);
        INDArray w = Nd4j.rand(DataType.FLOAT, 2, C, 3, 3);
        INDArray b = Nd4j.rand(DataType.FLOAT, 2);
        int[] kernel = {3, 3};
        int[] one = {1, 1};
        LayerWorkspaceMgr none = LayerWorkspaceMgr.noWorkspaces();
        assertNull(helper.preOutput(x, w, b, kernel, one, one, null, null, ConvolutionMode.Truncate, new int[] {2, 2},
                CNN2DFormat.NCHW, none), "dilation 2");
        assertNull(helper.preOutput(x.permute(0, 2, 3, 1), w, b, kernel, one, one, null, null,
                ConvolutionMode.Truncate, one, CNN2DFormat.NHWC, none), "NHWC");
        assertArrayEquals(new long[] {N, 2, H, W}, helper.preOutput(x, w, b, kernel, one, one, null, null,
                ConvolutionMode.Truncate, one, CNN2DFormat.NCHW, none).shape(), "the supported case runs");
        INDArray even = Nd4j.rand(DataType.FLOAT, N, C, 5, 4);
        assertArrayEquals(new long[] {N, 2, 3, 2}, helper.preOutput(even, Nd4j.rand(DataType.FLOAT, 2, C, 1, 1), b,
                one, new int[] {2, 2}, new int[] {0, 0}, null, null, ConvolutionMode.Truncate, one, CNN2DFormat.NCHW,
                none).shape(), "a 1x1 stride-2 convolution whose last column is in no window runs (cropped)");
    }

    @Test
    void aPropertyKeepsDl4jsHelper() {
        System.setProperty(ConvolutionHelpers.KEEP_DL4J, "true");
        try {
            ComputationGraph graph = graph(DataType.FLOAT);
            assertEquals(0, ConvolutionHelpers.install(graph));
            assertInstanceOf(MKLDNNConvHelper.class, ConvolutionHelpers.helperOf(conv(graph, "a")));
        } finally {
            System.clearProperty(ConvolutionHelpers.KEEP_DL4J);
        }
    }

    private static void assertClose(INDArray expected, INDArray actual, double tolerance, String what) {
        float[] e = expected.castTo(DataType.FLOAT).dup('c').data().asFloat();
        float[] a = actual.dup('c').data().asFloat();
        assertArrayEquals(e, a, (float) (tolerance * (1 + expected.amaxNumber().doubleValue())), what);
    }
}
