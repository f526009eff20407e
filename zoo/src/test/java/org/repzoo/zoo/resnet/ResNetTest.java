package org.repzoo.zoo.resnet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;

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
}
