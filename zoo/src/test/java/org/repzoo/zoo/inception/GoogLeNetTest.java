package org.repzoo.zoo.inception;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.LogitsCrossEntropy;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;

class GoogLeNetTest {

    private static final ModelEntry GOOGLENET = Zoo.registry().get("googlenet");
    private static final ModelEntry PAPER = Zoo.registry().get("googlenet_paper");
    private static final int CLASSES = 5;
    private static final ModelOptions SMALL = ModelOptions.defaults().withClasses(CLASSES).withInput(InputShape.of(3, 64, 64));

    /** One small googlenet for the tests that run it (none depends on the values of its weights). */
    private static ComputationGraph small;

    @BeforeAll
    static void build() {
        small = GOOGLENET.init(SMALL);
    }

    static Layer layer(ComputationGraphConfiguration conf, String vertex) {
        return ((LayerVertex) conf.getVertices().get(vertex)).getLayerConf().getLayer();
    }

    static double lossWeight(ComputationGraphConfiguration conf, String vertex) {
        return ((LogitsCrossEntropy) ((BaseOutputLayer) layer(conf, vertex)).getLossFn()).getWeight();
    }

    /** Mean over the batch of -log softmax(z)_y, in double precision: torch.nn.CrossEntropyLoss by hand. */
    static double crossEntropy(INDArray logits, int[] labels) {
        double total = 0;
        for (int n = 0; n < labels.length; n++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < logits.size(1); c++) {
                max = Math.max(max, logits.getDouble(n, c));
            }
            double sum = 0;
            for (int c = 0; c < logits.size(1); c++) {
                sum += Math.exp(logits.getDouble(n, c) - max);
            }
            total += max + Math.log(sum) - logits.getDouble(n, labels[n]);
        }
        return total / labels.length;
    }

    static INDArray oneHot(int[] labels, int classes) {
        INDArray out = Nd4j.zeros(DataType.FLOAT, labels.length, classes);
        for (int n = 0; n < labels.length; n++) {
            out.putScalar(n, labels[n], 1);
        }
        return out;
    }

    @Test
    void auxiliaryClassifiersBranchOffAfter4aAnd4dAndFollowTheMainOutput() {
        for (ModelEntry entry : List.of(GOOGLENET, PAPER)) {
            ComputationGraphConfiguration conf = entry.configure();
            assertEquals(List.of("fc", "aux1.fc2", "aux2.fc2"), conf.getNetworkOutputs(), entry.name());
            assertEquals(List.of("inception4a.cat"), conf.getVertexInputs().get("aux1.pool"));
            assertEquals(List.of("inception4d.cat"), conf.getVertexInputs().get("aux2.pool"));
            assertEquals(1.0, lossWeight(conf, "fc"));
            assertEquals(0.3, lossWeight(conf, "aux1.fc2"));
            assertEquals(0.3, lossWeight(conf, "aux2.fc2"));
        }
    }

    /** torchvision's counts: 13,004,888 with aux_logits (the registered graph), 6,624,904 (its weights' num_params) without. */
    @Test
    void withoutAuxLogitsOnlyTheMainClassifierRemains() {
        ComputationGraphConfiguration conf = GOOGLENET.configure(ModelOptions.defaults().withoutAuxLogits());
        assertEquals(List.of("fc"), conf.getNetworkOutputs());
        assertTrue(conf.getVertices().keySet().stream().noneMatch(v -> v.startsWith("aux")));
        assertEquals(6_624_904L, GraphStats.of(conf, GOOGLENET.defaultInput()).parameters());
        assertEquals(13_004_888L, GraphStats.of(GOOGLENET.configure(), GOOGLENET.defaultInput()).parameters());
        assertEquals(6_998_552L, GraphStats.of(PAPER.configure(ModelOptions.defaults().withoutAuxLogits()),
                PAPER.defaultInput()).parameters()); // Caffe's bvlc_googlenet deploy net
    }

    /**
     * The training loss of the paper (Caffe's loss_weight 0.3 on loss1 and loss2): DL4J's score sums its output layers'
     * losses, so it must equal the main cross-entropy plus 0.3 times each auxiliary one, computed here by hand from the
     * three outputs.
     */
    @Test
    void scoreIsTheMainLossPlusPointThreeTimesEachAuxiliaryLoss() {
        for (ModelEntry entry : List.of(GOOGLENET, PAPER)) {
            ModelOptions options = entry == PAPER ? SMALL.withInput(InputShape.of(3, 80, 80)) : SMALL;
            ComputationGraph net = entry == PAPER ? entry.init(options) : small;
            int side = options.input().height();
            INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, side, side);
            int[] labels = {1, 3};
            INDArray y = oneHot(labels, CLASSES);
            INDArray[] out = net.output(false, x);
            double main = crossEntropy(out[0], labels);
            double aux1 = crossEntropy(out[1], labels);
            double aux2 = crossEntropy(out[2], labels);
            double expected = main + 0.3 * (aux1 + aux2);
            double score = net.score(new MultiDataSet(new INDArray[] {x}, new INDArray[] {y, y, y}), false);
            assertEquals(expected, score, 1e-5 * expected, entry.name());
            assertTrue(Math.abs(score - main) > 1e-3, "the auxiliary losses count");
        }
    }

    @Test
    void trainingUpdatesTheAuxiliaryClassifiers() {
        ComputationGraph net = small;
        INDArray before = net.getParam("aux1.fc2_W").dup();
        INDArray y = oneHot(new int[] {0, 4}, CLASSES);
        net.fit(new MultiDataSet(new INDArray[] {Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64)}, new INDArray[] {y, y, y}));
        assertFalse(before.equalsWithEps(net.getParam("aux1.fc2_W"), 0));
    }

    /**
     * torchvision's transform_input: x_c * (std_c / 0.5) + (mean_c - 0.5) / 0.5 with the ImageNet mean (0.485, 0.456,
     * 0.406) and std (0.229, 0.224, 0.225), before conv1; the configuration's JSON keeps it.
     */
    @Test
    void transformInputRenormalisesEachChannelBeforeConv1() {
        ComputationGraph net = GOOGLENET.init(SMALL.withTransformInput());
        assertEquals(List.of("transform_input"), net.getConfiguration().getVertexInputs().get("conv1.conv"));
        double[] scale = {0.229 / 0.5, 0.224 / 0.5, 0.225 / 0.5};
        double[] shift = {(0.485 - 0.5) / 0.5, (0.456 - 0.5) / 0.5, (0.406 - 0.5) / 0.5};
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 64, 64);
        INDArray transformed = net.feedForward(x, false).get("transform_input");
        for (int c = 0; c < 3; c++) {
            for (int corner : new int[] {0, 63}) {
                double expected = x.getDouble(1, c, corner, corner) * scale[c] + shift[c];
                assertEquals(expected, transformed.getDouble(1, c, corner, corner), 1e-6);
            }
        }
        ComputationGraphConfiguration conf = net.getConfiguration();
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson())); // ChannelAffineTest: ModelSerializer
    }

    @Test
    void transformInputIsRefusedWhereTheArchitectureHasNone() {
        ModelEntry resnet = Zoo.registry().get("resnet18");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> resnet.configure(ModelOptions.defaults().withTransformInput()));
        assertTrue(e.getMessage().contains("transform_input"));
    }

    /**
     * Caffe's bvlc_googlenet: pool1/norm1 (LRN after the first max pool) and conv2/norm2 (after the 3x3 convolution,
     * before pool2), local_size 5, alpha 1e-4 (DL4J takes alpha/n), beta 0.75, Caffe's default k = 1; convolutions
     * with bias and no BatchNorm; 5x5 convolutions in each module's third branch.
     */
    @Test
    void paperVariantHasCaffesLrnPlacesAndFiveByFiveBranches() {
        ComputationGraphConfiguration conf = PAPER.configure();
        assertEquals(List.of("maxpool1"), conf.getVertexInputs().get("norm1"));
        assertEquals(List.of("norm1"), conf.getVertexInputs().get("conv2.conv"));
        assertEquals(List.of("conv3.conv"), conf.getVertexInputs().get("norm2"));
        assertEquals(List.of("norm2"), conf.getVertexInputs().get("maxpool2"));
        for (String norm : List.of("norm1", "norm2")) {
            LocalResponseNormalization lrn = (LocalResponseNormalization) layer(conf, norm);
            assertEquals(5, lrn.getN());
            assertEquals(1e-4 / 5, lrn.getAlpha(), 1e-15);
            assertEquals(0.75, lrn.getBeta());
            assertEquals(1.0, lrn.getK());
        }
        ConvolutionLayer fiveByFive = (ConvolutionLayer) layer(conf, "inception5b.branch3.1.conv");
        assertArrayEquals(new int[] {5, 5}, fiveByFive.getKernelSize());
        assertArrayEquals(new int[] {2, 2}, fiveByFive.getPadding());
        assertTrue(fiveByFive.hasBias());
        assertTrue(conf.getVertices().values().stream().noneMatch(
                v -> v instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization));
        ConvolutionLayer torchvision = (ConvolutionLayer) layer(GOOGLENET.configure(), "inception5b.branch3.1.conv");
        assertArrayEquals(new int[] {3, 3}, torchvision.getKernelSize());
    }
}
