package org.repzoo.reparam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.weights.HashedWeights;
import org.repzoo.weights.StateDictLoader;
import org.repzoo.zoo.Fixtures;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.WeightKeys;
import org.repzoo.zoo.repvgg.RepVgg;
import org.repzoo.zoo.repvgg.RepVggConfig;

/**
 * RepVGG train form to deploy form: against the official repository's own conversion (PyTorch fixture), in double
 * precision, structurally equal to the registered deploy form, and on a RepVGG block inside another net.
 */
class ReparameterizerTest {

    private static final InputShape SMALL = InputShape.of(3, 64, 64);

    /** A trained-looking graph: the hashed state_dict (BN means ~0.1, variances 0.5-1.5, gammas ~1) loaded into it. */
    static ComputationGraph trained(String name, InputShape input) throws Exception {
        ModelEntry entry = Zoo.registry().get(name);
        ComputationGraph graph = entry.init(ModelOptions.defaults().withInput(input));
        StateDictLoader.load(graph, HashedWeights.stateDict(graph.getConfiguration()), StateDictLoader.Mode.STRICT);
        return graph;
    }

    static double relativeGap(INDArray expected, INDArray actual) {
        return expected.sub(actual).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("officialFixtures")
    void deployLogitsEqualTheOfficialConversion(String name) throws Exception {
        JsonNode fixture = Fixtures.json("/repvgg/official_conversion.json", "tools/reference/repvgg_reference.py fixture")
                .get("models").get(name);
        ComputationGraph train = trained(name, InputShape.of(3, 224, 224));
        INDArray before = train.params().dup();
        ComputationGraph deploy = Reparameterizer.reparameterize(train);
        INDArray input = HashedWeights.tensor("input", new long[] {2, 3, 224, 224});
        INDArray official = Nd4j.create(toArray(fixture.get("deploy_logits"))).castTo(DataType.FLOAT);
        INDArray ours = deploy.outputSingle(false, input);
        assertTrue(relativeGap(official, ours) <= 1e-4, name + ": " + relativeGap(official, ours));
        assertEquals(official.argMax(1), ours.argMax(1));
        assertEquals(before, train.params(), "the trained graph is not changed");
    }

    static Stream<String> officialFixtures() {
        return Stream.of("repvgg_a0", "repvgg_b1g4");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void deployGraphIsTheRegisteredDeployFormAndGivesTheSameLogits(String name) throws Exception {
        ComputationGraph train = trained(name, SMALL);
        ComputationGraph deploy = Reparameterizer.reparameterize(train);
        ComputationGraphConfiguration registered = Zoo.registry().get(name + "_deploy")
                .configure(ModelOptions.defaults().withInput(SMALL));
        assertEquals(WeightKeys.torchParams(registered), WeightKeys.torchParams(deploy.getConfiguration()));
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64);
        double gap = relativeGap(train.outputSingle(false, input), deploy.outputSingle(false, input));
        assertTrue(gap <= 1e-5, name + ": " + gap);
    }

    static Stream<String> variants() {
        return Stream.of("repvgg_a0", "repvgg_b0", "repvgg_b1g2");
    }

    /**
     * RepVGG-D2se: the SE block between the branch sum and the ReLU stops the ReLU from being fused; the converted graph
     * is the registered deploy form (rbr_reparam, se, nonlinearity), every SE parameter is copied unchanged, and with
     * the hashed state_dict's BN statistics (means within 0.1, variances 0.5-1.5) the logits stay within 1e-5.
     */
    @Test
    void squeezeExcitationBlocksConvertWithTheirParametersCopied() throws Exception {
        ComputationGraph train = trained("repvgg_d2se", SMALL);
        ComputationGraph deploy = Reparameterizer.reparameterize(train);

        ComputationGraphConfiguration registered = Zoo.registry().get("repvgg_d2se_deploy")
                .configure(ModelOptions.defaults().withInput(SMALL));
        assertEquals(WeightKeys.torchParams(registered), WeightKeys.torchParams(deploy.getConfiguration()));
        assertEquals(List.of("stage3.23.se.scale"), deploy.getConfiguration().getVertexInputs().get("stage3.23.nonlinearity"));
        assertEquals(List.of("stage3.23.rbr_reparam"), deploy.getConfiguration().getVertexInputs().get("stage3.23.se.pool"));
        assertEquals(1 + 8 + 14 + 24 + 1, Reparameterizer.blocks(train.getConfiguration()).size());
        long seParams = 0;
        for (String key : train.paramTable().keySet()) {
            if (key.contains(".se.")) {
                assertEquals(train.getParam(key), deploy.getParam(key), key);
                seParams++;
            }
        }
        assertEquals(48 * 4, seParams); // down and up, weight and bias, in all 48 blocks
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64);
        double gap = relativeGap(train.outputSingle(false, input), deploy.outputSingle(false, input));
        System.out.printf("reparam repvgg_d2se at 64x64: max|dlogit|/max|logit| = %.2e%n", gap);
        assertTrue(gap <= 1e-5, "repvgg_d2se: " + gap);
    }

    /** Stride-1 stages (a CPU-sized net for 32x32): the extra identity branch folds in and the result is plain. */
    @Test
    void otherStridesConvertToTheirOwnDeployForm() throws Exception {
        RepVggConfig config = RepVggConfig.A0.resized(List.of(1, 2, 2, 1), 0.25).withStrides(List.of(1, 1, 2, 2, 2));
        ModelOptions options = ModelOptions.defaults().withClasses(10).withInput(InputShape.of(1, 32, 32));
        ComputationGraph train = new ComputationGraph(new RepVgg(config, RepVgg.Form.TRAIN).configure("s", options));
        train.init();
        StateDictLoader.load(train, HashedWeights.stateDict(train.getConfiguration()), StateDictLoader.Mode.STRICT);
        ComputationGraph deploy = Reparameterizer.reparameterize(train);
        ComputationGraphConfiguration expected = new RepVgg(config, RepVgg.Form.DEPLOY).configure("s", options);
        assertEquals(WeightKeys.torchParams(expected), WeightKeys.torchParams(deploy.getConfiguration()));
        assertTrue(train.getConfiguration().getVertices().containsKey("stage1.0.rbr_identity"));
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 1, 32, 32);
        double gap = relativeGap(train.outputSingle(false, input), deploy.outputSingle(false, input));
        assertTrue(gap <= 1e-5, "strides 1,1,2,2,2: " + gap);
    }

    @Test
    void doublePrecisionConversionIsExactToRounding() throws Exception {
        ComputationGraph train = trained("repvgg_a0", SMALL);
        train = train.convertDataType(DataType.DOUBLE);
        ComputationGraph deploy = Reparameterizer.reparameterize(train);
        INDArray input = Nd4j.rand(DataType.DOUBLE, 2, 3, 64, 64);
        double gap = relativeGap(train.outputSingle(false, input), deploy.outputSingle(false, input));
        assertTrue(gap <= 1e-10, "double precision gap " + gap);
    }

    @Test
    void aBlockInsideAnotherNetConvertsAndTheRestIsCopied() throws Exception {
        GraphScope root = GraphScope.start("custom", InputShape.of(3, 16, 16), 7);
        String x = root.relu("stem.relu", root.batchNorm("stem.bn", root.conv("stem.conv", GraphScope.INPUT,
                Conv.of(8, 3).padding(1).noBias()), 1e-5));
        GraphScope block = root.child("body");
        GraphScope dense = block.child("a");
        GraphScope pointwise = block.child("b");
        String sum = block.add("sum",
                dense.batchNorm("bn", dense.conv("conv", x, Conv.of(8, 3).padding(1).groups(2).noBias()), 1e-3),
                pointwise.batchNorm("bn", pointwise.conv("conv", x, Conv.of(8, 1).groups(2).noBias()), 1e-4),
                block.batchNorm("skip", x, 1e-5));
        x = block.relu("act", sum);
        x = root.globalAvgPool("pool", x);
        ComputationGraph net = new ComputationGraph(root.build(root.logits("head", x, 3,
                org.repzoo.zoo.core.Inits.normal(0.1))));
        net.init();
        StateDictLoader.load(net, HashedWeights.stateDict(net.getConfiguration()), StateDictLoader.Mode.STRICT);

        ComputationGraph converted = Reparameterizer.reparameterize(net);
        assertTrue(converted.getConfiguration().getVertices().containsKey("body.rbr_reparam"));
        assertFalse(converted.getConfiguration().getVertices().containsKey("body.skip"));
        assertEquals(net.getParam("stem.conv_W"), converted.getParam("stem.conv_W"));
        assertEquals(net.getParam("head_W"), converted.getParam("head_W"));
        INDArray input = Nd4j.rand(DataType.FLOAT, 3, 3, 16, 16);
        double gap = relativeGap(net.outputSingle(false, input), converted.outputSingle(false, input));
        assertTrue(gap <= 1e-5, "gap " + gap);
    }

    @Test
    void aGraphWithoutRepVggBlocksIsRefused() throws Exception {
        ComputationGraph resnet = Zoo.registry().get("resnet18").init(ModelOptions.defaults().withInput(SMALL));
        assertTrue(Reparameterizer.blocks(resnet.getConfiguration()).isEmpty(), "ResNet's residual sums are not RepVGG blocks");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Reparameterizer.reparameterize(resnet));
        assertTrue(e.getMessage().contains("no RepVGG blocks"), e.getMessage());
    }

    private static double[][] toArray(JsonNode rows) {
        double[][] values = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            values[i] = new double[rows.get(i).size()];
            for (int j = 0; j < values[i].length; j++) {
                values[i][j] = rows.get(i).get(j).asDouble();
            }
        }
        return values;
    }

}
