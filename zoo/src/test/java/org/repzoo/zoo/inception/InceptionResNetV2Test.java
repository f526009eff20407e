package org.repzoo.zoo.inception;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.junit.jupiter.api.Test;
import org.repzoo.zoo.GradientFlow;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;

class InceptionResNetV2Test {

    private static final ModelEntry ENTRY = Zoo.registry().get("inception_resnet_v2");

    /**
     * TF-slim's layout at 299x299, as its inception_resnet_v2.py annotates each part (149x149x32 ... 35x35x320,
     * 17x17x1088, 8x8x2080, 8x8x1536): the paper's Figure 15 gives 384, 1152 and 2144 channels instead.
     */
    @Test
    void outputShapesFollowTfSlim() {
        Map<String, String> shapes = InceptionV4Test.shapesAt(ENTRY, 299);
        assertEquals("32x149x149", shapes.get("conv2d_1a.relu"));
        assertEquals("32x147x147", shapes.get("conv2d_2a.relu"));
        assertEquals("64x147x147", shapes.get("conv2d_2b.relu"));
        assertEquals("64x73x73", shapes.get("maxpool_3a"));
        assertEquals("80x73x73", shapes.get("conv2d_3b.relu"));
        assertEquals("192x71x71", shapes.get("conv2d_4a.relu"));
        assertEquals("192x35x35", shapes.get("maxpool_5a"));
        assertEquals("320x35x35", shapes.get("mixed_5b.concat"));
        assertEquals("320x35x35", shapes.get("repeat.9.relu"));
        assertEquals("1088x17x17", shapes.get("mixed_6a.concat"));
        assertEquals("1088x17x17", shapes.get("repeat_1.19.relu"));
        assertEquals("2080x8x8", shapes.get("mixed_7a.concat"));
        assertEquals("2080x8x8", shapes.get("repeat_2.8.relu"));
        assertEquals("2080x8x8", shapes.get("block8.add"));
        assertEquals("1536x8x8", shapes.get("conv2d_7b.relu"));
    }

    /**
     * {@code out = relu(conv2d(cat) * scale + x)}: 10 blocks at 0.17, 20 at 0.10, 9 at 0.20, then {@code block8} at 1.0
     * without ReLU, whose sum feeds {@code conv2d_7b} directly.
     */
    @Test
    void residualBlocksScaleAddTheirInputAndTheLastHasNoRelu() {
        ComputationGraphConfiguration conf = ENTRY.configure();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        String[] stages = {"repeat", "repeat_1", "repeat_2"};
        int[] counts = {10, 20, 9};
        double[] scales = {0.17, 0.10, 0.20};
        String[] before = {"mixed_5b.concat", "mixed_6a.concat", "mixed_7a.concat"};
        for (int s = 0; s < 3; s++) {
            String previous = before[s];
            for (int i = 0; i < counts[s]; i++) {
                String b = stages[s] + "." + i + ".";
                ScaleVertex scale = assertInstanceOf(ScaleVertex.class, conf.getVertices().get(b + "scale"));
                assertEquals(scales[s], scale.getScaleFactor(), 0, b);
                assertEquals(List.of(b + "conv2d"), inputs.get(b + "scale"));
                assertEquals(List.of(b + "concat"), inputs.get(b + "conv2d"));
                assertEquals(List.of(b + "scale", previous), inputs.get(b + "add"), b);
                assertEquals(List.of(b + "add"), inputs.get(b + "relu"));
                assertEquals(List.of(previous), inputs.get(b + "branch0.conv"));
                previous = b + "relu";
            }
        }
        assertEquals(1.0, ((ScaleVertex) conf.getVertices().get("block8.scale")).getScaleFactor(), 0);
        assertEquals(List.of("block8.scale", "repeat_2.8.relu"), inputs.get("block8.add"));
        assertFalse(conf.getVertices().containsKey("block8.relu"));
        assertEquals(List.of("block8.add"), inputs.get("conv2d_7b.conv"));
    }

    /** A training-mode backward pass at the smallest input, 75x75 (1x1 last grid). */
    @Test
    void everyParameterGetsAGradient() {
        int checked = GradientFlow.assertEveryParameterGetsAGradient(ENTRY, InputShape.of(3, 75, 75), 5);
        // 1102 state_dict tensors without num_batches_tracked: 40 blocks' conv2d (weight, bias), 2 classif, and
        // (1102 - 82) / 5 = 204 conv units (weight, BN weight, bias, running mean, var) of which 3 are learned
        assertEquals(204 * 3 + 40 * 2 + 2, checked);
    }
}
