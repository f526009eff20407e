package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;
import org.repzoo.zoo.Zoo;

/** oneDNN is really used on RepZoo's convolutions, and gives the built-in path's outputs. */
class OneDnnTest {

    private static final ModelOptions SMALL = ModelOptions.defaults().withClasses(10).withInput(InputShape.of(3, 64, 64));

    @Test
    void theLoadedNativeBuildContainsOneDnn() {
        Nd4j.create(1);
        String build = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        assertTrue(build.contains("HAVE_ONEDNN"), "native build without oneDNN: " + build);
    }

    @Test
    void convolutionLayersGetTheOneDnnHelperAndMatchTheBuiltInPath() {
        ModelEntry entry = Zoo.registry().get("resnet18");
        ComputationGraph fast = entry.init(SMALL);
        int convolutions = 0;
        for (org.deeplearning4j.nn.api.Layer layer : fast.getLayers()) {
            if (layer instanceof ConvolutionLayer conv) {
                assertTrue(conv.getHelper() instanceof MKLDNNConvHelper, layer.getConfig().getLayerName() + " has no oneDNN helper");
                convolutions++;
            }
        }
        assertEquals(20, convolutions);

        ComputationGraph builtIn;
        System.setProperty(OneDnn.HELPERS_PROPERTY, "true");
        try {
            builtIn = entry.init(SMALL);
        } finally {
            System.setProperty(OneDnn.HELPERS_PROPERTY, "false");
        }
        assertNull(((ConvolutionLayer) builtIn.getLayer("conv1")).getHelper());
        builtIn.setParams(fast.params());

        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64);
        INDArray expected = builtIn.outputSingle(false, input);
        INDArray actual = fast.outputSingle(false, input);
        double relative = actual.sub(expected).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
        assertTrue(relative < 1e-5, "oneDNN vs built-in relative difference " + relative);
    }
}
