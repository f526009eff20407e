package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ChannelAffineTest {

    private static final double[] SCALE = {2.0, -0.5, 0.25};
    private static final double[] SHIFT = {0.1, 1.0, -3.0};

    private static ComputationGraphConfiguration conf() {
        GraphScope root = GraphScope.start("t", InputShape.of(3, 4, 5), 11);
        String x = root.channelAffine("transform_input", GraphScope.INPUT, SCALE, SHIFT);
        x = root.conv("conv", x, Conv.of(2, 3).padding(1).relu());
        x = root.globalAvgPool("pool", x);
        return root.build(root.logits("fc", x, 3, Inits.linearDefault(2)));
    }

    @Test
    void mapsEachChannelAffinely() {
        ComputationGraph net = new ComputationGraph(conf());
        net.init();
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 4, 5);
        INDArray y = net.feedForward(x, false).get("transform_input");
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 20; i++) {
                    double expected = x.getDouble(n, c, i / 5, i % 5) * SCALE[c] + SHIFT[c];
                    assertEquals(expected, y.getDouble(n, c, i / 5, i % 5), 1e-6);
                }
            }
        }
    }

    @Test
    void survivesJsonAndModelSerializer() throws Exception {
        ComputationGraphConfiguration conf = conf();
        assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()));
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(net, bytes, false);
        ComputationGraph restored = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(bytes.toByteArray()), false);
        INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 4, 5);
        assertEquals(net.outputSingle(false, x), restored.outputSingle(false, x));
    }

    @Test
    void gradientsPassDl4jsGradientCheck() {
        INDArray labels = Nd4j.zeros(DataType.DOUBLE, 2, 3);
        labels.putScalar(0, 1, 1);
        labels.putScalar(1, 2, 1);
        assertTrue(GradientChecks.pass(conf(), Nd4j.randn(DataType.DOUBLE, 2, 3, 4, 5), labels));
    }

    @Test
    void refusesAChannelCountThatDoesNotMatch() {
        GraphScope root = GraphScope.start("t", InputShape.of(1, 4, 4), 1);
        assertThrows(IllegalStateException.class, () -> root.channelAffine("t", GraphScope.INPUT, SCALE, SHIFT));
        assertThrows(IllegalArgumentException.class, () -> new ChannelAffine(new double[] {1}, new double[] {1, 2}));
    }
}
