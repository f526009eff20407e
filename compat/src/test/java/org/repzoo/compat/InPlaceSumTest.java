package org.repzoo.compat;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.repzoo.compat.InPlaceNets.C;
import static org.repzoo.compat.InPlaceNets.N;
import static org.repzoo.compat.InPlaceNets.SIZE;
import static org.repzoo.compat.InPlaceNets.activationBytesOfOneStep;
import static org.repzoo.compat.InPlaceNets.graph;
import static org.repzoo.compat.InPlaceNets.input;
import static org.repzoo.compat.InPlaceNets.train;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums that train in place against DL4J's own (copying) sum vertex on the same weights ({@link InPlaceNets}: the net):
 * the sum of two batch norms is replaced, the sum whose first input other vertices read too is not. Three SGD steps
 * end with the same parameters bit for bit, alone in doubles and with every training helper in floats; one step holds
 * one sum's output less.
 */
class InPlaceSumTest {
    @Test
    void replacesOnlyTheSumWhoseFirstInputNothingElseReads() {
        ComputationGraph graph = graph(DataType.FLOAT);
        GraphVertex both = graph.getVertex("both");
        assertEquals(1, InPlaceSum.install(graph));
        GraphVertex add = graph.getVertex("add");
        assertInstanceOf(InPlaceSum.TrainingSum.class, add);
        assertSame(add, graph.getVertices()[add.getVertexIndex()], "the graph's vertex array too");
        assertSame(both, graph.getVertex("both"));
        assertEquals(0, InPlaceSum.install(graph), "installed once");
    }

    @Test
    void trainsBitForBitAsDl4jsSumInDoubles() {
        ComputationGraph expected = graph(DataType.DOUBLE);
        ComputationGraph actual = graph(DataType.DOUBLE);
        InPlaceSum.install(actual);
        train(expected, DataType.DOUBLE);
        train(actual, DataType.DOUBLE);
        assertArrayEquals(expected.params().toDoubleVector(), actual.params().toDoubleVector());
        assertEquals(expected.score(), actual.score());
    }

    @Test
    void trainsBitForBitWithEveryTrainingHelper() {
        ComputationGraph expected = graph(DataType.FLOAT);
        BatchNormHelpers.install(expected);
        ConvolutionHelpers.install(expected);
        ComputationGraph actual = graph(DataType.FLOAT);
        TrainingHelpers.install(actual);
        assertInstanceOf(InPlaceSum.TrainingSum.class, actual.getVertex("add"));
        assertInstanceOf(InPlaceRelu.TrainingLayer.class, actual.getLayer("relu2"), "the ReLU after the sum too");
        train(expected, DataType.FLOAT);
        train(actual, DataType.FLOAT);
        assertArrayEquals(expected.params().toFloatVector(), actual.params().toFloatVector());
        INDArray x = input(99, DataType.FLOAT);
        assertArrayEquals(expected.outputSingle(x).ravel().toFloatVector(),
                actual.outputSingle(x).ravel().toFloatVector(), "inference after training");
    }

    @Test
    void holdsOneSumOutputLessPerStep() {
        long copying = activationBytesOfOneStep(graph(DataType.FLOAT));
        ComputationGraph inPlace = graph(DataType.FLOAT);
        InPlaceSum.install(inPlace);
        long saved = copying - activationBytesOfOneStep(inPlace);
        long sumOutput = (long) N * C * SIZE * SIZE * Float.BYTES;
        assertTrue(saved >= sumOutput && saved < 2 * sumOutput,
                "saved " + saved + " bytes; one sum output is " + sumOutput);
    }
}
