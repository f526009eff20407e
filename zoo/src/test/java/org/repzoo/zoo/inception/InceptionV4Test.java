package org.repzoo.zoo.inception;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;
import org.repzoo.zoo.GradientFlow;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.InputTooSmallException;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;

class InceptionV4Test {

    /** Figure 9 (and the stem of Figure 3) at 299x299: channels x height x width after each part. */
    @Test
    void outputShapesFollowFigure9() {
        Map<String, String> shapes = shapesAt(Zoo.registry().get("inception_v4"), 299);
        assertEquals("32x149x149", shapes.get("features.0.bn.act"));
        assertEquals("32x147x147", shapes.get("features.1.bn.act"));
        assertEquals("64x147x147", shapes.get("features.2.bn.act"));
        assertEquals("160x73x73", shapes.get("features.3.concat"));
        assertEquals("192x71x71", shapes.get("features.4.concat"));
        assertEquals("384x35x35", shapes.get("features.5.concat")); // stem output
        for (int i = 6; i <= 9; i++) {
            assertEquals("384x35x35", shapes.get("features." + i + ".concat"), "Inception-A " + i);
        }
        assertEquals("1024x17x17", shapes.get("features.10.concat")); // Reduction-A
        for (int i = 11; i <= 17; i++) {
            assertEquals("1024x17x17", shapes.get("features." + i + ".concat"), "Inception-B " + i);
        }
        assertEquals("1536x8x8", shapes.get("features.18.concat")); // Reduction-B
        for (int i = 19; i <= 21; i++) {
            assertEquals("1536x8x8", shapes.get("features." + i + ".concat"), "Inception-C " + i);
        }
        assertEquals("1536", shapes.get("global_pool")); // flattened
        assertFalse(shapes.keySet().stream().anyMatch(n -> n.startsWith("features.22.")));
    }

    /**
     * Inception-C's concatenation order is timm's torch.cat order (x0, x1_1a, x1_1b, x2_3a, x2_3b, x3), and the forks
     * read the shared 1x1 (branch1_0, branch2_2).
     */
    @Test
    void inceptionCForksAndConcatenatesInTimmsOrder() {
        ComputationGraphConfiguration conf = Zoo.registry().get("inception_v4").configure();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        String c = "features.19.";
        assertEquals(List.of(c + "branch0.bn.act", c + "branch1_1a.bn.act", c + "branch1_1b.bn.act",
                c + "branch2_3a.bn.act", c + "branch2_3b.bn.act", c + "branch3.1.bn.act"), inputs.get(c + "concat"));
        assertEquals(List.of(c + "branch1_0.bn.act"), inputs.get(c + "branch1_1a.conv"));
        assertEquals(List.of(c + "branch1_0.bn.act"), inputs.get(c + "branch1_1b.conv"));
        assertEquals(List.of(c + "branch2_2.bn.act"), inputs.get(c + "branch2_3a.conv"));
        assertEquals(List.of(c + "branch2_2.bn.act"), inputs.get(c + "branch2_3b.conv"));
        assertEquals(List.of("features.18.concat"), inputs.get(c + "branch3.0"));
        // Mixed3a concatenates the max pool first, Mixed5a the conv first
        assertEquals(List.of("features.3.maxpool", "features.3.conv.bn.act"), inputs.get("features.3.concat"));
        assertEquals(List.of("features.5.conv.bn.act", "features.5.maxpool"), inputs.get("features.5.concat"));
    }

    /**
     * {@code AvgPool2d(3, 1, padding=1, count_include_pad=False)}: on an all-ones input every output is exactly 1 (a
     * corner averages its 4 cells, not 4/9), with oneDNN on as the zoo runs.
     */
    @Test
    void averagePoolsExcludeThePaddingFromTheDivisor() {
        ComputationGraphConfiguration conf = Zoo.registry().get("inception_v4").configure();
        SubsamplingLayer pool = (SubsamplingLayer) ((LayerVertex) conf.getVertices().get("features.6.branch3.0"))
                .getLayerConf().getLayer();
        assertEquals(PoolingType.AVG, pool.getPoolingType());
        assertFalse(pool.isAvgPoolIncludePadInDivisor());

        GraphScope root = GraphScope.start("t", InputShape.of(2, 5, 4), 1);
        String x = InceptionV4Module.addLayer(root, "pool", GraphScope.INPUT, InceptionV4Module.avgPoolSame(),
                InceptionV4Module.Naming.CONV_NORM_ACT, 1e-3);
        OneDnn.enable();
        ComputationGraph net = new ComputationGraph(root.build(root.loss("loss", root.globalAvgPool("gap", x))));
        net.init();
        INDArray ones = Nd4j.ones(DataType.FLOAT, 2, 2, 5, 4);
        assertEquals(Nd4j.ones(DataType.FLOAT, 2, 2, 5, 4), net.feedForward(ones, false).get("pool"));
        // a ramp: the corner (0,0) averages x[0..1][0..1] = (0 + 1 + 4 + 5) / 4
        INDArray ramp = Nd4j.arange(20).castTo(DataType.FLOAT).reshape(1, 1, 5, 4).repeat(1, 2);
        INDArray y = net.feedForward(Nd4j.concat(0, ramp, ramp), false).get("pool");
        assertEquals(2.5, y.getDouble(0, 0, 0, 0), 1e-6);
        assertEquals((1 + 2 + 3 + 5 + 6 + 7 + 9 + 10 + 11) / 9.0, y.getDouble(1, 1, 1, 2), 1e-5);
    }

    /** A training-mode backward pass at the smallest input, 75x75 (1x1 last grid). */
    @Test
    void everyParameterGetsAGradient() {
        int checked = GradientFlow.assertEveryParameterGetsAGradient(Zoo.registry().get("inception_v4"),
                InputShape.of(3, 75, 75), 5);
        assertEquals(149 * 3 + 2, checked); // 149 conv units (weight, BN gamma, beta) + last_linear weight and bias
    }

    /** The stem's and reductions' unpadded 3x3 convolutions and pools need 75x75 at least. */
    @Test
    void smallestInputIs75() {
        ModelEntry entry = Zoo.registry().get("inception_v4");
        assertEquals("1536x1x1", shapesAt(entry, 75).get("features.21.concat"));
        assertEquals("1536x2x2", shapesAt(entry, 107).get("features.21.concat"));
        assertThrows(InputTooSmallException.class, () -> shapesAt(entry, 74));
    }

    /** Output shape of every vertex at a square input, from the configuration (no weights). */
    static Map<String, String> shapesAt(ModelEntry entry, int size) {
        InputShape input = InputShape.of(3, size, size);
        Map<String, String> shapes = new HashMap<>();
        GraphStats.of(entry.configure(ModelOptions.defaults().withInput(input)), input).rows()
                .forEach(r -> shapes.put(r.name(), r.output()));
        return shapes;
    }
}
