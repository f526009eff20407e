package org.repzoo.reparam;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.vgg.Vgg;
import org.repzoo.zoo.vgg.VggConfig;

/**
 * FC layers to convolutions (VGG §3.2, docs/PROTOCOLS.md §1.3) on torchvision's VGG graph, built with the real
 * {@link Vgg} builder and narrow feature layers (the head keeps VGG's 7x7 pool, 4096-wide FC layers and dropout).
 */
class FullyConvolutionalTest {

    private static ComputationGraph vgg;

    /** VGG's five stages with 8/16 channels: same pooling (so the same score-map sizes), small convolutions. */
    static ComputationGraph tinyVgg() {
        List<VggConfig.Layer> layers = new ArrayList<>();
        for (int width : new int[] {8, 8, 16, 16, 16}) {
            layers.add(new VggConfig.Layer(VggConfig.Layer.Kind.CONV, width, 3));
            layers.add(new VggConfig.Layer(VggConfig.Layer.Kind.MAX_POOL, 0, 0));
        }
        OneDnn.enable();
        ComputationGraph graph = new ComputationGraph(new Vgg(new VggConfig(layers, VggConfig.Normalization.NONE))
                .configure("tiny_vgg", ModelOptions.defaults().withClasses(10).withInput(InputShape.of(3, 224, 224))));
        graph.init();
        // Weights large enough that the head's output is far from zero (VGG's 0.01 init makes it vanish).
        Nd4j.getRandom().setSeed(11);
        graph.params().assign(Nd4j.randn(DataType.FLOAT, graph.params().shape()).muli(0.08));
        return graph;
    }

    @BeforeAll
    static void build() {
        vgg = tinyVgg();
    }

    static double relativeGap(INDArray expected, INDArray actual) {
        return expected.sub(actual).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
    }

    /** At 224 the feature map is 7x7: the converted net is the FC net (vgg_dense_check.py: 6.7e-7 in PyTorch). */
    @Test
    void equalsTheClassifierAt224() {
        INDArray before = vgg.params().dup();
        String json = vgg.getConfiguration().toJson();
        ComputationGraph dense = FullyConvolutional.convert(vgg, FullyConvolutional.Output.SPATIAL_MEAN);
        Nd4j.getRandom().setSeed(3);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 224, 224);
        INDArray expected = vgg.output(false, x)[0];
        INDArray actual = dense.output(false, x)[0];
        assertArrayEquals(new long[] {2, 10}, actual.shape());
        assertTrue(expected.amaxNumber().doubleValue() > 1e-2, "logits must not vanish: " + expected);
        double gap = relativeGap(expected, actual);
        assertTrue(gap < 1e-5, "relative gap " + gap);
        assertEquals(before, vgg.params(), "input graph unchanged");
        assertEquals(json, vgg.getConfiguration().toJson(), "input configuration unchanged");
        assertEquals(vgg.numParams(), dense.numParams(), "the same weights, reshaped");
    }

    @Test
    void headBecomesConvolutionsWithTheSameNames() {
        ComputationGraph dense = FullyConvolutional.convert(vgg, FullyConvolutional.Output.SCORE_MAP);
        var vertices = dense.getConfiguration().getVertices();
        assertFalse(vertices.containsKey("avgpool"), "the adaptive pool is removed");
        assertFalse(vertices.containsKey("classifier.2"), "dropout is removed");
        int[][] kernels = {{7, 7}, {1, 1}, {1, 1}};
        String[] names = {"classifier.0", "classifier.3", "classifier.6"};
        for (int i = 0; i < names.length; i++) {
            ConvolutionLayer conv = (ConvolutionLayer) ((LayerVertex) vertices.get(names[i])).getLayerConf().getLayer();
            assertArrayEquals(kernels[i], conv.getKernelSize(), names[i]);
            assertEquals(i < 2 ? "relu" : "identity", conv.getActivationFn().toString().toLowerCase(), names[i]);
        }
        assertEquals(List.of("classifier.6"), dense.getConfiguration().getNetworkOutputs());
        assertTrue(((LayerVertex) vgg.getConfiguration().getVertices().get("classifier.0")).getLayerConf().getLayer()
                instanceof DenseLayer, "source keeps its dense layer");
    }

    /**
     * docs/PROTOCOLS.md §6.5 (worked_examples.json {@code vgg_dense_scoremap_WxH}): floor pooling gives a
     * (floor(W'/32) - 6) x (floor(H'/32) - 6) map; and the spatial mean output is the mean of that map.
     */
    @Test
    void scoreMapSizesAndSpatialMean() {
        ComputationGraph map = FullyConvolutional.convert(vgg, FullyConvolutional.Output.SCORE_MAP);
        ComputationGraph mean = FullyConvolutional.convert(vgg, FullyConvolutional.Output.SPATIAL_MEAN);
        int[][] cases = {{341, 256, 4, 2}, {256, 341, 2, 4}, {512, 384, 10, 6}};
        for (int[] c : cases) {
            INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, c[1], c[0]);
            INDArray scores = map.output(false, x)[0];
            assertArrayEquals(new long[] {1, 10, c[3], c[2]}, scores.shape(), c[0] + "x" + c[1]);
            if (c[0] == 341) {
                INDArray averaged = mean.output(false, x)[0];
                assertTrue(relativeGap(scores.mean(2, 3), averaged) < 1e-5);
            }
        }
    }

    @Test
    void globalPoolingHeadsAreAlreadyFullyConvolutional() {
        GraphScope root = GraphScope.start("tiny_resnet", InputShape.of(3, 32, 32), 1);
        String x = root.conv("conv1", GraphScope.INPUT, Conv.of(4, 3).stride(2).relu());
        x = root.globalAvgPool("avgpool", x);
        x = root.logits("fc", x, 5, Inits.normal(0.1));
        ComputationGraph graph = new ComputationGraph(root.build(x));
        graph.init();
        assertSame(graph, FullyConvolutional.of(graph));
        assertThrows(IllegalArgumentException.class,
                () -> FullyConvolutional.convert(graph, FullyConvolutional.Output.SPATIAL_MEAN));
        for (String name : List.of("resnet18", "repvgg_a0", "nin")) {
            assertTrue(FullyConvolutional.isFullyConvolutional(Zoo.registry().get(name).configure()), name);
        }
        assertFalse(FullyConvolutional.isFullyConvolutional(Zoo.registry().get("vgg16").configure()));
        assertFalse(FullyConvolutional.isFullyConvolutional(Zoo.registry().get("vgg11_bn").configure()));
    }

    @Test
    void reluOfTheHeadIsKept() {
        ComputationGraph dense = FullyConvolutional.of(vgg);
        ConvolutionLayer fc7 = (ConvolutionLayer) ((LayerVertex) dense.getConfiguration().getVertices()
                .get("classifier.3")).getLayerConf().getLayer();
        assertEquals(Activation.RELU.getActivationFunction().getClass(), fc7.getActivationFn().getClass());
    }
}
