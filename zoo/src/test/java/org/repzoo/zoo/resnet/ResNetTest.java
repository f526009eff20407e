package org.repzoo.zoo.resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GroupedConvolution;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.WeightKeys;

class ResNetTest {

    private static final ModelOptions SMALL = ModelOptions.defaults().withClasses(10).withInput(InputShape.of(3, 32, 32));

    @Test
    void zeroInitResidualZeroesTheLastBatchNormOfEveryBlock() {
        ComputationGraph bottleneck = Zoo.registry().get("resnet50").init(SMALL.withZeroInitResidual());
        assertEquals(0, bottleneck.getParam("layer3.5.bn3_gamma").amaxNumber().doubleValue());
        assertEquals(0, bottleneck.getParam("layer1.0.bn3_gamma").amaxNumber().doubleValue());
        assertEquals(1, bottleneck.getParam("layer1.0.bn2_gamma").minNumber().doubleValue());
        assertEquals(1, bottleneck.getParam("layer1.0.downsample.1_gamma").minNumber().doubleValue());

        ComputationGraph basic = Zoo.registry().get("resnet18").init(SMALL.withZeroInitResidual());
        assertEquals(0, basic.getParam("layer4.1.bn2_gamma").amaxNumber().doubleValue());
        assertEquals(1, basic.getParam("layer4.1.bn1_gamma").minNumber().doubleValue());
    }

    @Test
    void withoutTheOptionEveryGammaStartsAtOne() {
        ComputationGraph net = Zoo.registry().get("resnet18").init(SMALL);
        assertEquals(1, net.getParam("layer4.1.bn2_gamma").minNumber().doubleValue());
    }

    @Test
    void nonResidualNetsRefuseTheOption() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Zoo.registry().get("vgg11").init(SMALL.withZeroInitResidual()));
        assertTrue(e.getMessage().contains("residual"));
    }

    /** torchvision's init: Kaiming-normal fan-out for convs (std sqrt(2/(64*7*7))), nn.Linear's default for fc. */
    @Test
    void initialisationFollowsTorchvision() {
        ComputationGraph net = Zoo.registry().get("resnet50").init(ModelOptions.defaults());
        assertEquals(Math.sqrt(2.0 / (64 * 49)), net.getParam("conv1_W").stdNumber().doubleValue(), 0.002);
        assertEquals(0, net.getParam("conv1_W").meanNumber().doubleValue(), 0.001);
        double bound = 1 / Math.sqrt(2048);
        assertTrue(net.getParam("fc_W").amaxNumber().doubleValue() <= bound);
        assertTrue(net.getParam("fc_b").amaxNumber().doubleValue() <= bound);
        assertTrue(net.getParam("fc_b").amaxNumber().doubleValue() > bound / 2, "fc bias should be uniform, not zero");
    }

    /** timm's make_divisible(channels / 16, 8, round_limit=0), worked by hand: half up to a multiple of 8, at least 8. */
    @Test
    void seWidthRoundsLikeTimm() {
        assertEquals(16, ResNet.seReducedChannels(256));
        assertEquals(128, ResNet.seReducedChannels(2048));
        assertEquals(8, ResNet.seReducedChannels(64)); // 4 -> int(8) // 8 * 8 = 8
        assertEquals(8, ResNet.seReducedChannels(100)); // 6.25 -> int(10.25) // 8 * 8 = 8
        assertEquals(16, ResNet.seReducedChannels(200)); // 12.5 -> int(16.5) // 8 * 8 = 16
        assertEquals(8, ResNet.seReducedChannels(16)); // 1 -> the minimum, 8
    }

    /** ResNeXt-50 32x4d's layer1.0.conv2: 64 * 4 / 64 * 32 = 128 channels in 32 groups, weight [128, 4, 3, 3]. */
    @Test
    void resNeXtGroupsTheBottlenecks3x3() {
        ComputationGraphConfiguration conf = Zoo.registry().get("resnext50_32x4d").configure();
        GroupedConvolution conv2 = (GroupedConvolution) ((LayerVertex) conf.getVertices().get("layer1.0.conv2"))
                .getLayerConf().getLayer();
        assertEquals(32, conv2.getGroups());
        assertEquals(128, conv2.getNOut());
        assertEquals(new WeightKeys.TorchParam("layer1.0.conv2.weight", new long[] {128, 4, 3, 3}, false),
                WeightKeys.torchParams(conf).get("layer1.0.conv2_W"));
    }

    /** timm's Bottleneck: bn3 -> se -> (+ shortcut) -> act3; the shortcut itself has no SE. */
    @Test
    void squeezeExcitationSitsBetweenTheLastBatchNormAndTheSum() {
        ComputationGraphConfiguration conf = Zoo.registry().get("seresnet50").configure();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        assertEquals(List.of("layer2.0.bn3"), inputs.get("layer2.0.se.pool"));
        assertEquals(List.of("layer2.0.bn3", "layer2.0.se.fc2"), inputs.get("layer2.0.se.scale"));
        assertEquals(List.of("layer2.0.se.scale", "layer2.0.downsample.1"), inputs.get("layer2.0.add"));
        assertEquals(new WeightKeys.TorchParam("layer4.2.se.fc1.weight", new long[] {128, 2048, 1, 1}, false),
                WeightKeys.torchParams(conf).get("layer4.2.se.fc1_W"));
        assertEquals(16, conf.getVertices().keySet().stream().filter(v -> v.endsWith(".se.scale")).count());
    }
}
