package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.repzoo.zoo.Fixtures;

class GroupedConvolutionTest {

    private static final String FIXTURE = "/grouped/conv2d.json";
    /** Groups per call that keeps the layer's own plan. */
    private static final int PLAN = 0;
    private static final String MADE_BY =
            "/usr/bin/python3 tools/reference/grouped_conv_fixtures.py zoo/src/test/resources/grouped/conv2d.json";

    // ---------------------------------------------------------------- forward against PyTorch

    static Stream<Arguments> pyTorchCases() {
        List<Arguments> cases = new ArrayList<>();
        for (JsonNode c : Fixtures.json(FIXTURE, MADE_BY).get("cases")) {
            int groups = c.get("groups").asInt();
            cases.add(Arguments.of(c.get("name").asText(), PLAN, c));
            for (int perCall = 1; perCall <= groups; perCall++) {
                if (groups % perCall == 0) {
                    cases.add(Arguments.of(c.get("name").asText(), perCall, c));
                }
            }
        }
        return cases.stream();
    }

    /**
     * {@code F.conv2d(x, w, b, stride, padding, groups)} from the fixture, with the layer's own plan (0 groups per call:
     * one depthwise call for the depthwise cases) and every split of the groups into block-diagonal calls.
     */
    @ParameterizedTest(name = "{0}, {1} groups per call")
    @MethodSource("pyTorchCases")
    void forwardEqualsPyTorch(String name, int groupsPerCall, JsonNode c) {
        long[] inputShape = longs(c.get("input_shape"));
        int[] kernel = ints(c.get("kernel"));
        int[] padding = ints(c.get("padding"));
        boolean bias = !c.get("bias").isNull();
        Conv spec = Conv.of(c.get("out_channels").asInt(), 1).kernel(kernel[0], kernel[1]).stride(c.get("stride").asInt())
                .padding(padding[0], padding[1]).groups(c.get("groups").asInt());
        GraphScope root = GraphScope.start("t", InputShape.of((int) inputShape[1], (int) inputShape[2], (int) inputShape[3]), 1);
        String conv = root.conv("conv", GraphScope.INPUT, bias ? spec : spec.noBias());
        ComputationGraph net = new ComputationGraph(root.build(root.loss("loss", root.globalAvgPool("gap", conv))));
        net.init();
        split(net, "conv", groupsPerCall);
        net.getParam("conv_W").assign(floats(c.get("weight")).reshape(longs(c.get("weight_shape"))));
        if (bias) {
            net.getParam("conv_b").assign(floats(c.get("bias")));
        }

        INDArray actual = net.feedForward(floats(c.get("input")).reshape(inputShape), false).get(conv);

        INDArray expected = floats(c.get("output")).reshape(longs(c.get("output_shape")));
        assertArrayEquals(expected.shape(), actual.shape());
        double difference = actual.sub(expected).amaxNumber().doubleValue();
        assertTrue(difference <= 1e-5, name + ": max |DL4J - PyTorch| = " + difference);
    }

    // ---------------------------------------------------------------- gradients

    /**
     * DL4J's numerical check in double precision. A 1x1 stem convolution before the grouped layer checks its input
     * gradient too (the stem's weight gradient is made from it).
     */
    @ParameterizedTest(name = "groups {0}, stride {1}, bias {2}, {3} groups per call, {4}")
    // A cover of groups, stride, bias and call split (each check takes ~20-50 s on 2 cores; CI runs five), the last
    // a depthwise layer (8 groups of one channel) on its own plan: libnd4j's depthwise_conv2d_bp
    @CsvSource({"2, 2, true, 1, IDENTITY", "4, 1, true, 4, IDENTITY", "4, 2, false, 2, IDENTITY", "2, 1, false, 2, TANH",
            "8, 2, true, 0, IDENTITY"})
    void gradientsPassDl4jsGradientCheck(int groups, int stride, boolean bias, int groupsPerCall, Activation activation) {
        ComputationGraphConfiguration conf = stemGroupedOutput(InputShape.of(3, 5, 6), 8, 8, groups, stride, bias, activation,
                DataType.DOUBLE);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 3, 5, 6).subi(0.5);
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        labels.putScalar(0, 1, 1);
        labels.putScalar(1, 2, 1);
        assertTrue(GradientChecks.pass(conf, input, labels, net -> split(net, "grouped", groupsPerCall)));
    }

    /**
     * In float precision the ops run on oneDNN, which the double-precision gradient check does not reach: the gradients
     * (stem, grouped weight, bias) and score must equal those of a dense ConvolutionLayer holding the block-diagonal
     * weight, whose gradient's diagonal blocks are the grouped gradient.
     */
    @ParameterizedTest(name = "{0} channels, groups {1}, stride {2}, {3} groups per call")
    @CsvSource({"64, 4, 1, 1", "64, 4, 2, 4", "64, 32, 1, 16", "64, 32, 2, 1", "48, 2, 2, 2", "64, 64, 1, 0", "48, 48, 2, 0"})
    void floatGradientsEqualABlockDiagonalDenseConvolution(int channels, int groups, int stride, int groupsPerCall) {
        InputShape shape = InputShape.of(3, 12, 10);
        ComputationGraph grouped = new ComputationGraph(stemGroupedOutput(shape, channels, channels, groups, stride, true,
                Activation.RELU, DataType.FLOAT));
        grouped.init();
        split(grouped, "grouped", groupsPerCall);
        ComputationGraph dense = new ComputationGraph(stemDenseOutput(shape, channels, channels, stride));
        dense.init();
        dense.getParam("stem_W").assign(grouped.getParam("stem_W"));
        dense.getParam("stem_b").assign(grouped.getParam("stem_b"));
        dense.getParam("grouped_W").assign(blockDiagonal(grouped.getParam("grouped_W"), groups, channels));
        dense.getParam("grouped_b").assign(grouped.getParam("grouped_b"));
        dense.getParam("mix_W").assign(grouped.getParam("mix_W"));
        dense.getParam("mix_b").assign(grouped.getParam("mix_b"));
        dense.getParam("out_W").assign(grouped.getParam("out_W"));
        dense.getParam("out_b").assign(grouped.getParam("out_b"));

        INDArray input = Nd4j.rand(DataType.FLOAT, 4, 3, 12, 10).subi(0.5);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 4, 3);
        for (int i = 0; i < 4; i++) {
            labels.putScalar(i, i % 3, 1);
        }
        Map<String, INDArray> expected = gradients(dense, input, labels);
        Map<String, INDArray> actual = gradients(grouped, input, labels);

        assertClose(expected.get("stem_W"), actual.get("stem_W"), "stem weight (through the input gradient)");
        assertClose(expected.get("grouped_b"), actual.get("grouped_b"), "bias");
        assertClose(blockDiagonal(actual.get("grouped_W"), groups, channels),
                maskBlockDiagonal(expected.get("grouped_W"), groups), "weight");
        assertClose(expected.get("out_W"), actual.get("out_W"), "output layer");
        assertEquals(dense.score(), grouped.score(), 1e-5 * Math.abs(dense.score()));
    }

    // ---------------------------------------------------------------- workspaces

    /**
     * Workspaces ENABLED (DL4J's default, training and inference) must give what no workspaces give: a few SGD steps
     * through a ResNeXt-like block (grouped conv, BN, ReLU, a residual add reading the block input twice), then
     * repeated inference.
     */
    @ParameterizedTest(name = "one group per call: {0}")
    @ValueSource(booleans = {true, false})
    void workspacesEnabledGiveTheSameTrainingAndInferenceAsNoWorkspaces(boolean oneGroupPerCall) {
        ComputationGraphConfiguration conf = residualBlock();
        assertEquals(WorkspaceMode.ENABLED, conf.getTrainingWorkspaceMode());
        assertEquals(WorkspaceMode.ENABLED, conf.getInferenceWorkspaceMode());
        ComputationGraphConfiguration plain = conf.clone();
        plain.setTrainingWorkspaceMode(WorkspaceMode.NONE);
        plain.setInferenceWorkspaceMode(WorkspaceMode.NONE);
        ComputationGraph withWorkspaces = new ComputationGraph(conf);
        withWorkspaces.init();
        ComputationGraph without = new ComputationGraph(plain);
        without.init();
        without.setParams(withWorkspaces.params().dup());
        if (oneGroupPerCall) {
            for (ComputationGraph net : List.of(withWorkspaces, without)) {
                grouped(net, "block.conv2").groupsPerCall(1);
                grouped(net, "block.conv3").groupsPerCall(1);
            }
        }

        INDArray input = Nd4j.rand(DataType.FLOAT, 4, 16, 8, 8);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 4, 5);
        for (int i = 0; i < 4; i++) {
            labels.putScalar(i, i, 1);
        }
        for (int step = 0; step < 4; step++) {
            withWorkspaces.fit(new DataSet(input, labels));
            without.fit(new DataSet(input, labels));
        }
        assertClose(without.params(), withWorkspaces.params(), "parameters after 4 steps");
        INDArray expected = without.outputSingle(false, input);
        for (int i = 0; i < 3; i++) {
            assertClose(expected, withWorkspaces.outputSingle(false, input), "inference " + i);
            assertClose(without.outputSingle(true, input), withWorkspaces.outputSingle(true, input),
                    "training-mode forward " + i);
        }
    }

    // ---------------------------------------------------------------- serialization

    @Test
    void configurationJsonRoundTrips() {
        ComputationGraphConfiguration conf = residualBlock();
        String json = conf.toJson();
        assertTrue(json.contains(GroupedConvolution.class.getName()), "class name missing from the JSON");
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(json);
        assertEquals(conf, restored);
        GroupedConvolution layer = (GroupedConvolution) ((LayerVertex) restored.getVertices().get("block.conv2"))
                .getLayerConf().getLayer();
        assertEquals(4, layer.getGroups());
        assertEquals(16, layer.getNIn());
        assertFalse(layer.hasBias());
        assertEquals(json, restored.toJson());
    }

    @Test
    void modelSerializerRoundTripsAGraphWithAGroupedConvolution(@TempDir File dir) throws Exception {
        ComputationGraph net = new ComputationGraph(residualBlock());
        net.init();
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 16, 8, 8);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 2, 5);
        labels.putScalar(0, 1, 1);
        labels.putScalar(1, 3, 1);
        net.fit(new DataSet(input, labels)); // non-trivial updater state
        File file = new File(dir, "grouped.zip");
        ModelSerializer.writeModel(net, file, true);

        ComputationGraph restored = ModelSerializer.restoreComputationGraph(file, true);

        assertInstanceOf(GroupedConvolutionLayer.class, restored.getLayer("block.conv2"));
        assertEquals(net.params(), restored.params());
        assertEquals(net.outputSingle(false, input), restored.outputSingle(false, input));
        net.fit(new DataSet(input, labels));
        restored.fit(new DataSet(input, labels));
        assertClose(net.params(), restored.params(), "parameters after one more step");
    }

    // ---------------------------------------------------------------- keys, statistics, configuration

    @Test
    void weightKeysGivePyTorchsGroupedShape() {
        Map<String, WeightKeys.TorchParam> params = WeightKeys.torchParams(residualBlock());
        assertEquals(new WeightKeys.TorchParam("block.conv2.weight", new long[] {16, 4, 3, 3}, false),
                params.get("block.conv2_W"));
        assertFalse(params.containsKey("block.conv2_b"));
        GraphScope root = GraphScope.start("t", InputShape.of(8, 6, 6), 1);
        String conv = root.conv("conv", GraphScope.INPUT, Conv.of(12, 3).groups(4));
        Map<String, WeightKeys.TorchParam> withBias =
                WeightKeys.torchParams(root.build(root.loss("loss", root.globalAvgPool("gap", conv))));
        assertEquals(new WeightKeys.TorchParam("conv.weight", new long[] {12, 2, 3, 3}, false), withBias.get("conv_W"));
        assertEquals(new WeightKeys.TorchParam("conv.bias", new long[] {12}, false), withBias.get("conv_b"));
    }

    /** ResNeXt-50 32x4d's layer2.0.conv2: 128 channels in 32 groups of 4, 3x3, stride 2, 56x56 in, 28x28 out. */
    @Test
    void graphStatsCountAGroupedLayersParametersAndMultiplyAdds() {
        GraphScope root = GraphScope.start("t", InputShape.of(128, 56, 56), 1);
        String conv = root.conv("conv2", GraphScope.INPUT, Conv.of(128, 3).stride(2).padding(1).groups(32).noBias());
        assertEquals(28, root.height(conv));
        GraphStats stats = GraphStats.of(root.build(root.loss("loss", root.globalAvgPool("gap", conv))),
                InputShape.of(128, 56, 56));
        GraphStats.Row row = stats.rows().stream().filter(r -> r.name().equals("conv2")).findFirst().orElseThrow();
        assertEquals("GroupedConvolution", row.type());
        assertEquals("128x28x28", row.output());
        assertEquals(128 * 4 * 3 * 3, row.parameters()); // 4608
        assertEquals(28L * 28 * 128 * 4 * 3 * 3, row.multiplyAdds()); // 3,612,672: 1/32 of the dense layer's
    }

    @Test
    void oneGroupStaysDl4jsConvolutionLayer() {
        GraphScope root = GraphScope.start("t", InputShape.of(8, 6, 6), 1);
        String conv = root.conv("conv", GraphScope.INPUT, Conv.of(8, 3));
        ComputationGraphConfiguration conf = root.build(root.loss("loss", root.globalAvgPool("gap", conv)));
        assertEquals(ConvolutionLayer.class, ((LayerVertex) conf.getVertices().get("conv")).getLayerConf().getLayer().getClass());
    }

    @Test
    void channelsThatDoNotSplitIntoTheGroupsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Conv.of(6, 3).groups(4));
        GraphScope root = GraphScope.start("t", InputShape.of(6, 6, 6), 1);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> root.conv("conv", GraphScope.INPUT, Conv.of(8, 3).groups(4)));
        assertEquals("t: conv cannot split the 6 channels of input into 4 groups", e.getMessage());
        assertThrows(IllegalStateException.class, () -> new GroupedConvolution.Builder(3, 3).groups(4).nIn(6).nOut(8).build());
    }

    /** {@code kaiming_normal_(mode="fan_out")} on a grouped weight uses out*kH*kW, not divided by groups (torch 1.13). */
    @Test
    void kaimingFanOutInitHasPyTorchsStandardDeviation() {
        GraphScope root = GraphScope.start("t", InputShape.of(256, 4, 4), 1);
        String conv = root.conv("conv", GraphScope.INPUT, Conv.of(256, 3).padding(1).groups(32).noBias());
        ComputationGraph net = new ComputationGraph(root.build(root.loss("loss", root.globalAvgPool("gap", conv))));
        net.init();
        INDArray weight = net.getParam("conv_W");
        assertArrayEquals(new long[] {256, 8, 3, 3}, weight.shape());
        double expected = Math.sqrt(2.0 / (256 * 3 * 3));
        assertEquals(expected, weight.stdNumber().doubleValue(), 0.03 * expected);
    }

    @Test
    void outputTypeAndMemoryReport() {
        GroupedConvolution layer = new GroupedConvolution.Builder(3, 3).groups(32).stride(2, 2).padding(1, 1)
                .nIn(128).nOut(256).hasBias(false).build();
        InputType in = InputType.convolutional(56, 56, 128);
        assertEquals(InputType.convolutional(28, 28, 256), layer.getOutputType(0, in));
        LayerMemoryReport report = layer.getMemoryReport(in);
        assertEquals(256L * 4 * 3 * 3, report.getParameterSize());
        assertEquals(InputType.convolutional(28, 28, 256), report.getOutputType());
        assertThrows(IllegalStateException.class, () -> layer.getOutputType(0, InputType.convolutional(56, 56, 100)));
    }

    @Test
    void unsupportedSettingsAreRefused() {
        InputType in = InputType.convolutional(8, 8, 4);
        GroupedConvolution same = new GroupedConvolution.Builder(3, 3).groups(2).convolutionMode(ConvolutionMode.Same)
                .nIn(4).nOut(4).build();
        assertThrows(IllegalStateException.class, () -> same.getOutputType(0, in));
        GroupedConvolution dilated = new GroupedConvolution.Builder(3, 3).groups(2).dilation(2, 2).nIn(4).nOut(4).build();
        assertThrows(IllegalStateException.class, () -> dilated.getOutputType(0, in));
        GroupedConvolution plain = new GroupedConvolution.Builder(3, 3).groups(2).nIn(4).nOut(4).build();
        assertThrows(IllegalStateException.class, () -> plain.getOutputType(0, InputType.convolutional(8, 8, 4, CNN2DFormat.NHWC)));
        assertThrows(IllegalStateException.class, () -> plain.setNIn(InputType.convolutional(8, 8, 4, CNN2DFormat.NHWC), true));
    }

    /** The plan joins narrow groups into calls of at least 16 channels and keeps wide groups one per call. */
    @ParameterizedTest(name = "{0}->{1}, groups {2}: {3} per call")
    @CsvSource({"64, 64, 32, 8", "128, 128, 32, 4", "256, 256, 32, 2", "256, 256, 64, 4", "512, 512, 32, 1",
            "64, 64, 2, 1", "48, 48, 4, 2", "8, 8, 4, 4", "6, 12, 6, 6"})
    void planJoinsNarrowGroups(long in, long out, int groups, int expected) {
        assertEquals(expected, GroupedConvolutionLayer.plan(in, out, groups).groupsPerCall());
        assertFalse(GroupedConvolutionLayer.plan(in, out, groups).depthwise());
    }

    /** One input and one output channel per group (Xception, MobileNet) is one depthwise call; a multiplier is not. */
    @Test
    void depthwiseLayersAreOneDepthwiseCall() {
        assertTrue(GroupedConvolutionLayer.plan(728, 728, 728).depthwise());
        assertTrue(GroupedConvolutionLayer.plan(2, 2, 2).depthwise());
        assertFalse(GroupedConvolutionLayer.plan(6, 12, 6).depthwise());
        assertFalse(GroupedConvolutionLayer.plan(1, 1, 1).depthwise());
    }

    // ---------------------------------------------------------------- helpers

    static GroupedConvolutionLayer grouped(ComputationGraph net, String name) {
        return (GroupedConvolutionLayer) net.getLayer(name);
    }

    /** Forces {@code groupsPerCall} block-diagonal calls, or keeps the layer's plan for {@link #PLAN}. */
    private static void split(ComputationGraph net, String name, int groupsPerCall) {
        if (groupsPerCall != PLAN) {
            grouped(net, name).groupsPerCall(groupsPerCall);
        }
    }

    /**
     * input [N, 3, H, W] -> 1x1 conv "stem" -> 3x3 conv "grouped" (padding 1) -> 1x1 conv "mix" (4) -> average pool ->
     * softmax output "out" (3).
     */
    private static ComputationGraphConfiguration stemGroupedOutput(InputShape input, int stemChannels, int outChannels,
            int groups, int stride, boolean bias, Activation activation, DataType dataType) {
        return stemThenOutput(input, dataType, new GroupedConvolution.Builder(3, 3).groups(groups).stride(stride, stride)
                .padding(1, 1).nOut(outChannels).hasBias(bias).activation(activation).build(), stemChannels);
    }

    private static ComputationGraphConfiguration stemDenseOutput(InputShape input, int stemChannels, int outChannels, int stride) {
        return stemThenOutput(input, DataType.FLOAT, new ConvolutionLayer.Builder(3, 3).stride(stride, stride).padding(1, 1)
                .nOut(outChannels).activation(Activation.RELU).build(), stemChannels);
    }

    private static ComputationGraphConfiguration stemThenOutput(InputShape input, DataType dataType,
            org.deeplearning4j.nn.conf.layers.Layer middle, int stemChannels) {
        return new NeuralNetConfiguration.Builder()
                .seed(12345)
                .dataType(dataType)
                .updater(new Sgd(0.1))
                .weightInit(WeightInit.XAVIER)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(input.toInputType())
                .addLayer("stem", new ConvolutionLayer.Builder(1, 1).nOut(stemChannels).activation(Activation.TANH).build(), "in")
                .addLayer("grouped", middle, "stem")
                // few parameters after the grouped layer (a fast check) but a gradient that varies over the image
                .addLayer("mix", new ConvolutionLayer.Builder(1, 1).nOut(4).activation(Activation.TANH).build(), "grouped")
                .addLayer("pool", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "mix")
                .addLayer("out", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                        .nOut(3).build(), "pool")
                .setOutputs("out")
                .build();
    }

    /** A ResNeXt bottleneck at toy size, built through GraphScope as the zoo builds it. */
    private static ComputationGraphConfiguration residualBlock() {
        GraphScope root = GraphScope.start("t", InputShape.of(16, 8, 8), 7);
        GraphScope block = root.child("block");
        String x = block.conv("conv2", GraphScope.INPUT, Conv.of(16, 3).padding(1).groups(4).noBias());
        x = block.batchNorm("bn2", x, 1e-5);
        x = block.relu("relu", x);
        x = block.conv("conv3", x, Conv.of(16, 3).stride(1).padding(1).groups(8));
        x = block.add("add", x, GraphScope.INPUT);
        return root.build(root.logits("fc", root.globalAvgPool("avgpool", x), 5, Inits.normal(0.1)));
    }

    private static Map<String, INDArray> gradients(ComputationGraph net, INDArray input, INDArray labels) {
        net.setInputs(input);
        net.setLabels(labels);
        net.computeGradientAndScore();
        Gradient gradient = net.gradient();
        Map<String, INDArray> copies = new HashMap<>();
        gradient.gradientForVariable().forEach((k, v) -> copies.put(k, v.dup()));
        return copies;
    }

    /** The dense [out, in, kH, kW] weight with the grouped weight's blocks on the diagonal. */
    private static INDArray blockDiagonal(INDArray groupedWeightView, int groups, long inChannels) {
        // INDArray.get returns empty arrays on deep parameter views in M2.1 (see GroupedConvolutionLayer.range)
        INDArray groupedWeight = groupedWeightView.dup();
        long outPerGroup = groupedWeight.size(0) / groups;
        long inPerGroup = groupedWeight.size(1);
        INDArray dense = Nd4j.zeros(groupedWeight.dataType(), groupedWeight.size(0), inChannels, groupedWeight.size(2),
                groupedWeight.size(3));
        for (int g = 0; g < groups; g++) {
            block(dense, g, outPerGroup, inPerGroup).assign(rows(groupedWeight, g, outPerGroup));
        }
        return dense;
    }

    /** A dense weight (gradient) with everything off the diagonal blocks zeroed. */
    private static INDArray maskBlockDiagonal(INDArray denseView, int groups) {
        INDArray dense = denseView.dup();
        long outPerGroup = dense.size(0) / groups;
        long inPerGroup = dense.size(1) / groups;
        INDArray masked = Nd4j.zeros(dense.dataType(), dense.shape());
        for (int g = 0; g < groups; g++) {
            block(masked, g, outPerGroup, inPerGroup).assign(block(dense, g, outPerGroup, inPerGroup));
        }
        return masked;
    }

    private static INDArray block(INDArray weight, int group, long outPerGroup, long inPerGroup) {
        return weight.get(NDArrayIndex.interval(group * outPerGroup, (group + 1) * outPerGroup),
                NDArrayIndex.interval(group * inPerGroup, (group + 1) * inPerGroup));
    }

    private static INDArray rows(INDArray weight, int group, long outPerGroup) {
        return weight.get(NDArrayIndex.interval(group * outPerGroup, (group + 1) * outPerGroup));
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        assertArrayEquals(expected.shape(), actual.shape(), what);
        double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-12);
        double relative = actual.castTo(DataType.DOUBLE).sub(expected.castTo(DataType.DOUBLE)).amaxNumber().doubleValue() / scale;
        assertTrue(relative < 1e-4, what + ": max relative difference " + relative);
    }

    private static INDArray floats(JsonNode values) {
        float[] data = new float[values.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = (float) values.get(i).asDouble();
        }
        return Nd4j.createFromArray(data);
    }

    private static long[] longs(JsonNode values) {
        long[] data = new long[values.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = values.get(i).asLong();
        }
        return data;
    }

    private static int[] ints(JsonNode values) {
        int[] data = new int[values.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = values.get(i).asInt();
        }
        return data;
    }
}
