package org.repzoo.zoo.repvgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;

/** Fresh RepVGG weights follow PyTorch's nn.Conv2d default, as the official repository's do. */
class OfficialInitTest {

    private static final ModelOptions SMALL = ModelOptions.defaults().withInput(InputShape.of(3, 32, 32));

    @Test
    void everyConvolutionIsUniformWithinOneOverRootFanIn() {
        ComputationGraph graph = Zoo.registry().get("repvgg_a0").init(SMALL);
        // stage3.0's 3x3: 96 -> 192 channels, fan_in 96 * 9 = 864; its 1x1: fan_in 96
        check(graph.getParam("stage3.0.rbr_dense.conv_W"), 1 / Math.sqrt(96 * 9));
        check(graph.getParam("stage3.0.rbr_1x1.conv_W"), 1 / Math.sqrt(96));
        check(graph.getParam("stage0.rbr_dense.conv_W"), 1 / Math.sqrt(3 * 9));
        // BatchNorm untouched: gamma 1, beta 0
        assertEquals(1.0, graph.getParam("stage3.0.rbr_dense.bn_gamma").minNumber().doubleValue());
        assertEquals(0.0, graph.getParam("stage3.0.rbr_dense.bn_beta").maxNumber().doubleValue());
    }

    @Test
    void groupedAndSqueezeExcitationConvolutionsUseTheirOwnFanIn() {
        ComputationGraph grouped = Zoo.registry().get("repvgg_b1g4").init(SMALL);
        // stage1.1 (global layer 6) is group-wise: 128 -> 128 channels in 4 groups, fan_in 32 * 9
        check(grouped.getParam("stage1.1.rbr_dense.conv_W"), 1 / Math.sqrt(32 * 9));
        ComputationGraph se = Zoo.registry().get("repvgg_d2se").init(SMALL);
        // stage1.0.se.down: 1x1 with bias, 160 -> 10 channels, fan_in 160; the bias from the same range
        check(se.getParam("stage1.0.se.down_W"), 1 / Math.sqrt(160));
        INDArray bias = se.getParam("stage1.0.se.down_b");
        assertTrue(bias.amaxNumber().doubleValue() <= 1 / Math.sqrt(160));
        assertTrue(bias.amaxNumber().doubleValue() > 0);
    }

    @Test
    void theSameSeedGivesTheSameWeights() {
        INDArray a = Zoo.registry().get("repvgg_a0").init(SMALL.withSeed(7)).params();
        INDArray b = Zoo.registry().get("repvgg_a0").init(SMALL.withSeed(7)).params();
        INDArray c = Zoo.registry().get("repvgg_a0").init(SMALL.withSeed(8)).params();
        assertEquals(a, b);
        assertTrue(!a.equals(c));
    }

    /** Within [-bound, bound], reaching near it, with a uniform's standard deviation bound / sqrt(3). */
    private static void check(INDArray weight, double bound) {
        double max = weight.amaxNumber().doubleValue();
        assertTrue(max <= bound && max > 0.9 * bound, "max |w| " + max + " vs bound " + bound);
        double std = weight.stdNumber().doubleValue();
        assertEquals(bound / Math.sqrt(3), std, 0.05 * bound / Math.sqrt(3), "std");
    }
}
