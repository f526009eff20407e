package org.repzoo.reparam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.InputShape;

/** Conv-BN folding keeps the outputs and removes every foldable BatchNorm. */
class BatchNormFolderTest {

    @ParameterizedTest
    @ValueSource(strings = {"vgg11_bn", "resnet18", "repvgg_a0"})
    void foldedGraphGivesTheSameLogitsWithoutTheFoldedBatchNorms(String name) throws Exception {
        ComputationGraph graph = ReparameterizerTest.trained(name, InputShape.of(3, 64, 64));
        INDArray before = graph.params().dup();
        int pairs = BatchNormFolder.pairs(graph.getConfiguration()).size();
        ComputationGraph folded = BatchNormFolder.foldBatchNorm(graph);
        long batchNorms = folded.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                        && lv.getLayerConf().getLayer() instanceof BatchNormalization).count();
        long batchNormsBefore = graph.getConfiguration().getVertices().values().stream()
                .filter(v -> v instanceof org.deeplearning4j.nn.conf.graph.LayerVertex lv
                        && lv.getLayerConf().getLayer() instanceof BatchNormalization).count();
        assertEquals(batchNormsBefore - pairs, batchNorms);
        assertTrue(pairs > 0);
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64);
        double gap = ReparameterizerTest.relativeGap(graph.outputSingle(false, input), folded.outputSingle(false, input));
        assertTrue(gap <= 1e-5, name + ": " + gap);
        assertEquals(before, graph.params(), "input graph unchanged");
    }
}
