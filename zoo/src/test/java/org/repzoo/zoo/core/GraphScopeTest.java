package org.repzoo.zoo.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.repzoo.compat.OneDnn;
import org.repzoo.zoo.Zoo;

class GraphScopeTest {

    @Test
    void childScopesNameVerticesAsPyTorchModulePaths() {
        GraphScope root = GraphScope.start("t", InputShape.of(3, 8, 8), 1);
        String conv = root.child("layer1").child(0).conv("conv1", GraphScope.INPUT, Conv.of(4, 3).padding(1));
        assertEquals("layer1.0.conv1", conv);
        assertEquals(4, root.channels(conv));
        assertThrows(IllegalStateException.class, () -> root.child("layer1").child(0).conv("conv1", GraphScope.INPUT, Conv.of(4, 3)));
    }

    @Test
    void anInputTooSmallIsReportedAtTheVertexWhereItCollapses() {
        InputTooSmallException e = assertThrows(InputTooSmallException.class,
                () -> Zoo.registry().get("vgg16").configure(ModelOptions.defaults().withInput(InputShape.of(3, 16, 16))));
        assertEquals("vgg16: input 3x16x16 is too small: features.30 would output 0x0", e.getMessage());
    }

    /** Output sizes of PyTorch's MaxPool2d(3, 2, ceil_mode=True), computed by hand from its formula. */
    @ParameterizedTest
    @CsvSource({"112,56", "113,56", "54,27", "27,13", "13,6", "14,7", "7,3", "3,1"})
    void ceilModeMaxPoolHasPyTorchsOutputSize(int in, int out) {
        assertEquals(out, Pool.max(3, 2).withCeilMode().outputSize(in));
    }

    /** Ceil-mode pooling windows that run past the input are truncated: checked against a direct computation. */
    @ParameterizedTest(name = "k{0} s{1} size {2}")
    @CsvSource({"3,2,112", "3,2,113", "3,2,14", "3,2,7", "5,3,10", "3,3,8"})
    void ceilModeMaxPoolComputesTheTruncatedWindows(int kernel, int stride, int size) {
        Pool spec = Pool.max(kernel, stride).withCeilMode();
        GraphScope root = GraphScope.start("t", InputShape.of(2, size, size), 1);
        String pool = root.pool("pool", GraphScope.INPUT, spec);
        ComputationGraphConfiguration conf = root.build(root.loss("loss", root.globalAvgPool("gap", pool)));
        OneDnn.enable();
        ComputationGraph net = new ComputationGraph(conf);
        net.init();
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 2, size, size); // non-negative, as after a ReLU
        INDArray actual = net.feedForward(input, false).get("pool");
        int out = spec.outputSize(size);
        assertEquals(out, actual.size(2));
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < out; i++) {
                for (int j = 0; j < out; j++) {
                    INDArray window = input.get(NDArrayIndex.point(0), NDArrayIndex.point(c),
                            NDArrayIndex.interval(stride * i, Math.min(stride * i + kernel, size)),
                            NDArrayIndex.interval(stride * j, Math.min(stride * j + kernel, size)));
                    assertEquals(window.maxNumber().floatValue(), actual.getFloat(0, c, i, j), 0f);
                }
            }
        }
    }

    @Test
    void addRefusesMismatchedShapes() {
        GraphScope root = GraphScope.start("t", InputShape.of(3, 8, 8), 1);
        String a = root.conv("a", GraphScope.INPUT, Conv.of(4, 1));
        String b = root.conv("b", GraphScope.INPUT, Conv.of(5, 1));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> root.add("sum", a, b));
        assertTrue(e.getMessage().contains("cannot add b 5x8x8 to a 4x8x8 at sum"), e.getMessage());
    }

    @Test
    void inputShapesParseAndRejectBadText() {
        assertEquals(InputShape.of(3, 224, 200), InputShape.parse("3x224x200"));
        assertEquals("bad input size '224': expected CxHxW, e.g. 3x224x224",
                assertThrows(IllegalArgumentException.class, () -> InputShape.parse("224")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> InputShape.parse("0x224x224"));
    }
}
