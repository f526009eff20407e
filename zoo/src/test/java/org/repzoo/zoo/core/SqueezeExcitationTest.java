package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** The squeeze-and-excitation block (GraphScope.squeezeExcitation) and its ChannelScale vertex. */
class SqueezeExcitationTest {

    /**
     * stem (1x1 conv with tanh, so the SE input takes both signs) -> SE -> global average pool -> logits; input
     * C x H x W with H != W.
     */
    private static ComputationGraphConfiguration stemSeHead(InputShape input, int channels, SqueezeExcitation se) {
        GraphScope root = GraphScope.start("t", input, 11);
        String x = root.conv("stem", GraphScope.INPUT, new Conv(channels, 1, 1, 1, 1, 0, 0, 1, true, Activation.TANH));
        x = root.child("block").squeezeExcitation("se", x, se);
        return root.build(root.logits("fc", root.globalAvgPool("avgpool", x), 3, Inits.normal(0.5)));
    }

    private static INDArray labels(int batch) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, batch, 3);
        for (int i = 0; i < batch; i++) {
            labels.putScalar(i, i % 3, 1);
        }
        return labels;
    }

    // ---------------------------------------------------------------- forward

    /**
     * Worked by hand: 2 channels, 1 reduced channel, one 2x2 image. Channel means 2.5 and -1; fc1 (weights 1, -2,
     * bias 0.5) gives 2.5 + 2 + 0.5 = 5, ReLU 5; fc2 (weights 0.2, -0.4, biases 0, 1) gives 1 and -1; the gates are
     * sigmoid(1) and sigmoid(-1), and each channel is scaled by its gate.
     */
    @Test
    void forwardIsPoolReduceReluExpandSigmoidScale() {
        GraphScope root = GraphScope.start("t", InputShape.of(2, 2, 2), 1);
        String se = root.squeezeExcitation("se", GraphScope.INPUT, SqueezeExcitation.of(1));
        ComputationGraph net = new ComputationGraph(root.build(root.loss("loss", root.globalAvgPool("gap", se))));
        net.init();
        net.getParam("se.fc1_W").assign(Nd4j.createFromArray(1f, -2f).reshape(1, 2, 1, 1));
        net.getParam("se.fc1_b").assign(0.5);
        net.getParam("se.fc2_W").assign(Nd4j.createFromArray(0.2f, -0.4f).reshape(2, 1, 1, 1));
        net.getParam("se.fc2_b").assign(Nd4j.createFromArray(0f, 1f).reshape(2));
        float[] image = {1, 2, 3, 4, -1, -3, 0, 0};
        INDArray input = Nd4j.createFromArray(image).reshape(1, 2, 2, 2);

        INDArray out = net.feedForward(input, false).get(se);

        double[] gate = {1 / (1 + Math.exp(-1)), 1 / (1 + Math.exp(1))};
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 4; i++) {
                assertEquals(image[4 * c + i] * gate[c], out.getDouble(0, c, i / 2, i % 2), 1e-6);
            }
        }
    }

    @Test
    void gateMayComeAsVectorsOrAsOneByOneMaps() {
        INDArray x = Nd4j.rand(DataType.FLOAT, 3, 4, 5, 6);
        INDArray s = Nd4j.rand(DataType.FLOAT, 3, 4);
        for (InputType gateType : List.of(InputType.feedForward(4), InputType.convolutional(1, 1, 4))) {
            ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                    .graphBuilder()
                    .addInputs("x", "s")
                    .setInputTypes(InputType.convolutional(5, 6, 4), gateType)
                    .addVertex("scale", new ChannelScale(), "x", "s")
                    .setOutputs("scale")
                    .build();
            ComputationGraph net = new ComputationGraph(conf);
            net.init();
            INDArray gate = gateType instanceof InputType.InputTypeFeedForward ? s : s.reshape(3, 4, 1, 1);
            INDArray out = net.output(x, gate)[0];
            for (int n = 0; n < 3; n++) {
                for (int c = 0; c < 4; c++) {
                    INDArrayIndex[] channel = {NDArrayIndex.point(n), NDArrayIndex.point(c)};
                    assertEquals(x.get(channel).mul(s.getDouble(n, c)), out.get(channel));
                }
            }
        }
    }

    // ---------------------------------------------------------------- gradients

    /** DL4J's numerical check in double precision: the stem's gradient checks the block's input gradient too. */
    @Test
    void gradientsPassDl4jsGradientCheck() {
        ComputationGraphConfiguration conf = stemSeHead(InputShape.of(3, 5, 6), 8, SqueezeExcitation.of(3));
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 3, 5, 6).subi(0.5);
        assertTrue(GradientChecks.pass(conf, input, labels(2)));
    }

    /** The same with the gate fed as [N, C] vectors (a dense layer), the other shape ChannelScale accepts. */
    @Test
    void gradientsWithAVectorGatePassDl4jsGradientCheck() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(11)
                .weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(4, 5, 3))
                .addLayer("stem", new ConvolutionLayer.Builder(1, 1).nOut(6).activation(Activation.TANH).build(), "in")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "stem")
                .addLayer("gate", new DenseLayer.Builder().nOut(6).activation(Activation.SIGMOID).build(), "pool")
                .addVertex("scale", new ChannelScale(), "stem", "gate")
                .addLayer("avgpool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "scale")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(3).build(), "avgpool")
                .setOutputs("out")
                .build();
        INDArray input = Nd4j.rand(DataType.DOUBLE, 3, 3, 4, 5).subi(0.5);
        assertTrue(GradientChecks.pass(conf, input, labels(3)));
    }

    // ---------------------------------------------------------------- workspaces and serialization

    /** Workspaces ENABLED (DL4J's default) must train and infer exactly as without workspaces. */
    @Test
    void workspacesEnabledGiveTheSameTrainingAndInferenceAsNoWorkspaces() {
        ComputationGraphConfiguration conf = stemSeHead(InputShape.of(3, 6, 7), 16, SqueezeExcitation.of(4));
        assertEquals(WorkspaceMode.ENABLED, conf.getTrainingWorkspaceMode());
        ComputationGraphConfiguration plain = conf.clone();
        plain.setTrainingWorkspaceMode(WorkspaceMode.NONE);
        plain.setInferenceWorkspaceMode(WorkspaceMode.NONE);
        ComputationGraph withWorkspaces = new ComputationGraph(conf);
        withWorkspaces.init();
        ComputationGraph without = new ComputationGraph(plain);
        without.init();
        without.setParams(withWorkspaces.params().dup());
        INDArray input = Nd4j.rand(DataType.FLOAT, 4, 3, 6, 7).subi(0.5);
        for (int step = 0; step < 4; step++) {
            withWorkspaces.fit(new DataSet(input, labels(4)));
            without.fit(new DataSet(input, labels(4)));
        }
        assertClose(without.params(), withWorkspaces.params());
        INDArray expected = without.outputSingle(false, input);
        for (int i = 0; i < 3; i++) {
            assertClose(expected, withWorkspaces.outputSingle(false, input));
        }
    }

    @Test
    void configurationJsonRoundTrips() {
        ComputationGraphConfiguration conf = stemSeHead(InputShape.of(3, 6, 7), 16, SqueezeExcitation.of(4).names("down", "up"));
        String json = conf.toJson();
        assertTrue(json.contains(ChannelScale.class.getName()), "class name missing from the JSON");
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, restored);
        assertEquals(json, restored.toJson());
        assertEquals(List.of("stem", "block.se.up"), restored.getVertexInputs().get("block.se.scale"));
    }

    @Test
    void modelSerializerRoundTripsTrainingState(@TempDir File dir) throws Exception {
        ComputationGraph net = new ComputationGraph(stemSeHead(InputShape.of(3, 6, 7), 16, SqueezeExcitation.of(4)));
        net.init();
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 6, 7);
        net.fit(new DataSet(input, labels(2))); // non-trivial updater state
        File file = new File(dir, "se.zip");
        ModelSerializer.writeModel(net, file, true);

        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertInstanceOf(ChannelScaleVertex.class, restored.getVertex("block.se.scale"));
        assertEquals(net.params(), restored.params());
        assertEquals(net.outputSingle(false, input), restored.outputSingle(false, input));
        net.fit(new DataSet(input, labels(2)));
        restored.fit(new DataSet(input, labels(2)));
        assertClose(net.params(), restored.params());
    }

    // ---------------------------------------------------------------- keys, statistics, validation

    /** timm's SEModule keys: se.fc1/fc2 weight [out, in, 1, 1] and bias. */
    @Test
    void parametersMapToTimmsStateDictKeys() {
        Map<String, WeightKeys.TorchParam> params =
                WeightKeys.torchParams(stemSeHead(InputShape.of(3, 6, 7), 16, SqueezeExcitation.of(4)));
        assertEquals(new WeightKeys.TorchParam("block.se.fc1.weight", new long[] {4, 16, 1, 1}, false),
                params.get("block.se.fc1_W"));
        assertEquals(new WeightKeys.TorchParam("block.se.fc1.bias", new long[] {4}, false), params.get("block.se.fc1_b"));
        assertEquals(new WeightKeys.TorchParam("block.se.fc2.weight", new long[] {16, 4, 1, 1}, false),
                params.get("block.se.fc2_W"));
        assertEquals(new WeightKeys.TorchParam("block.se.fc2.bias", new long[] {16}, false), params.get("block.se.fc2_b"));
        assertEquals(List.of("stem_W", "stem_b", "block.se.fc1_W", "block.se.fc1_b", "block.se.fc2_W", "block.se.fc2_b",
                "fc_W", "fc_b"), List.copyOf(params.keySet()));
    }

    /** 2*C*r + r + C parameters, and the two 1x1 convolutions' C*r multiply-adds each at 1x1. */
    @Test
    void graphStatsCountTheBlock() {
        GraphStats stats = GraphStats.of(stemSeHead(InputShape.of(3, 6, 7), 16, SqueezeExcitation.of(4)), InputShape.of(3, 6, 7));
        long se = stats.rows().stream().filter(r -> r.name().startsWith("block.se.")).mapToLong(GraphStats.Row::parameters).sum();
        long macs = stats.rows().stream().filter(r -> r.name().startsWith("block.se.")).mapToLong(GraphStats.Row::multiplyAdds).sum();
        assertEquals(2 * 16 * 4 + 4 + 16, se);
        assertEquals(2 * 16 * 4, macs);
        assertEquals("16x6x7", stats.rows().stream().filter(r -> r.name().equals("block.se.scale")).findFirst().orElseThrow().output());
    }

    @Test
    void gatesOfTheWrongWidthAreRefused() {
        ChannelScale scale = new ChannelScale();
        InputType x = InputType.convolutional(5, 6, 4);
        assertEquals(x, scale.getOutputType(0, x, InputType.convolutional(1, 1, 4)));
        assertThrows(InvalidInputTypeException.class, () -> scale.getOutputType(0, x, InputType.convolutional(1, 1, 3)));
        assertThrows(InvalidInputTypeException.class, () -> scale.getOutputType(0, x, InputType.convolutional(2, 1, 4)));
        assertThrows(InvalidInputTypeException.class, () -> scale.getOutputType(0, x, InputType.feedForward(5)));
        assertThrows(InvalidInputTypeException.class, () -> scale.getOutputType(0, InputType.feedForward(4), InputType.feedForward(4)));
        assertThrows(IllegalArgumentException.class, () -> SqueezeExcitation.of(0));
        assertThrows(IllegalArgumentException.class, () -> SqueezeExcitation.of(2).names("fc", "fc"));
    }

    private static void assertClose(INDArray expected, INDArray actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-12);
        double relative = actual.sub(expected).amaxNumber().doubleValue() / scale;
        assertTrue(relative < 1e-5, "max relative difference " + relative);
    }
}
