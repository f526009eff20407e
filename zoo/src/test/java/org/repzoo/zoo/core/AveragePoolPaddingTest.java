package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNSubsamplingHelper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;

/**
 * {@code F.avg_pool2d(x, 3, stride=1, padding=1)} as Inception v3 uses it: PyTorch's {@code count_include_pad=True}
 * divides every window by 9, zeros of the padding included, forward and backward. In DL4J M2.1 a SubsamplingLayer's
 * forward pass honours {@code avgPoolIncludePadInDivisor}, but its backward pass goes through the oneDNN helper, which
 * always divides by the in-image count; GraphScope pads explicitly instead, so both passes count the padding.
 *
 * <p>Each net here is a 1x1 convolution with weight 1 (no bias) before the pool, on a 4x4 image: the gradient of that
 * weight for a one-hot image at pixel p and an all-ones output gradient is the input gradient at p.
 */
class AveragePoolPaddingTest {

    /** 1..16 in a 4x4 image. */
    private static final INDArray IMAGE = Nd4j.arange(1, 17).castTo(DataType.FLOAT).reshape(1, 1, 4, 4);

    private static ComputationGraph net(boolean explicitPadding) {
        OneDnn.enable();
        GraphScope root = GraphScope.start("t", InputShape.of(1, 4, 4), 1);
        String x = root.conv("conv", GraphScope.INPUT, Conv.of(1, 1).noBias());
        ComputationGraphConfiguration conf;
        if (explicitPadding) {
            conf = root.build(root.pool("avg_pool", x, Pool.avg(3, 1).padding(1)));
        } else {
            conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT).graphBuilder()
                    .addInputs(GraphScope.INPUT).setInputTypes(InputType.convolutional(4, 4, 1))
                    .addLayer("conv", ConvLayers.create(Conv.of(1, 1).noBias(), 1), GraphScope.INPUT)
                    .addLayer("avg_pool", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(3, 3).stride(1, 1)
                            .padding(1, 1).convolutionMode(ConvolutionMode.Truncate).avgPoolIncludePadInDivisor(true)
                            .build(), "conv")
                    .setOutputs("avg_pool")
                    .build();
        }
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        net.getParam("conv_W").assign(1);
        assertInstanceOf(MKLDNNSubsamplingHelper.class,
                ((org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer) net.getLayer("avg_pool")).getHelper());
        return net;
    }

    /** d(sum of the pooled map)/d(pixel) for a one-hot image at (row, col). */
    private static double inputGradient(ComputationGraph net, int row, int col) {
        INDArray oneHot = Nd4j.zeros(DataType.FLOAT, 1, 1, 4, 4);
        oneHot.putScalar(new int[] {0, 0, row, col}, 1);
        net.feedForward(new INDArray[] {oneHot}, true, false);
        return net.backpropGradient(Nd4j.ones(DataType.FLOAT, 1, 1, 4, 4)).getGradientFor("conv_W").getDouble(0);
    }

    /**
     * Worked by hand. Forward: corner (0,0) sees 1, 2, 5, 6 and five padding zeros: 14/9; edge (0,1) sees 1, 2, 3, 5,
     * 6, 7: 24/9; inside (1,1) sees 1-3, 5-7, 9-11: 54/9 = 6; corner (3,3) sees 11, 12, 15, 16: 54/9. Backward: every
     * window weighs its pixels 1/9, so a corner pixel (in 4 windows) gets 4/9, an edge pixel (6) 6/9, an inside one 1.
     */
    @Test
    void graphScopeAveragePoolCountsThePaddingBothWaysWithOneDnnOn() {
        ComputationGraph net = net(true);
        INDArray y = net.feedForward(IMAGE, false).get("avg_pool");
        assertEquals(14 / 9.0, y.getDouble(0, 0, 0, 0), 1e-6);
        assertEquals(24 / 9.0, y.getDouble(0, 0, 0, 1), 1e-6);
        assertEquals(6.0, y.getDouble(0, 0, 1, 1), 1e-6);
        assertEquals(54 / 9.0, y.getDouble(0, 0, 3, 3), 1e-6);
        assertEquals(4 / 9.0, inputGradient(net, 0, 0), 1e-6);
        assertEquals(6 / 9.0, inputGradient(net, 0, 1), 1e-6);
        assertEquals(1.0, inputGradient(net, 1, 1), 1e-6);
        assertEquals(4 / 9.0, inputGradient(net, 3, 3), 1e-6);
    }

    /**
     * Why: one padded SubsamplingLayer asking to include the padding gets the forward right but, through oneDNN, the
     * corner's gradient of the exclude-padding pool: 1/4 + 1/6 + 1/6 + 1/9 (windows of 4, 6, 6 and 9 pixels).
     */
    @Test
    void oneDnnBackwardLeavesPaddingOutOfTheDivisorWhateverTheLayerSays() {
        ComputationGraph net = net(false);
        assertEquals(14 / 9.0, net.outputSingle(false, IMAGE).getDouble(0, 0, 0, 0), 1e-6);
        assertEquals(1 / 4.0 + 2 / 6.0 + 1 / 9.0, inputGradient(net, 0, 0), 1e-6,
                "oneDNN's backward now counts the padding: GraphScope's explicit padding may no longer be needed");
    }
}
