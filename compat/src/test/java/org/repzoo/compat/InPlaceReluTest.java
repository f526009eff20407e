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

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ReLU layers that train in place against DL4J's own (copying) ReLU layers on the same weights: a ReLU after a batch
 * norm and one after a sum are replaced, one whose input another vertex also reads is not (overwriting it would change
 * that vertex's input). Three SGD steps must end with the same parameters bit for bit, in doubles on DL4J's own layers
 * and in floats under the training helpers, and one step must hold less activation memory by the two ReLU outputs
 * ({@link InPlaceNets}: the net).
 */
class InPlaceReluTest {
    @Test
    void replacesOnlyTheReluWhoseInputNothingElseReads() {
        ComputationGraph graph = graph(DataType.FLOAT);
        org.deeplearning4j.nn.api.Layer relu3 = graph.getLayer("relu3");
        assertEquals(2, InPlaceRelu.install(graph));
        assertInstanceOf(InPlaceRelu.TrainingLayer.class, graph.getLayer("relu1"));
        assertInstanceOf(InPlaceRelu.TrainingLayer.class, graph.getLayer("relu2"));
        assertSame(relu3, graph.getLayer("relu3"));
        assertTrue(List.of(graph.getLayers()).contains(graph.getLayer("relu1")), "the graph's layer array too");
    }

    @Test
    void trainsBitForBitAsDl4jsReluInDoubles() {
        ComputationGraph expected = graph(DataType.DOUBLE);
        ComputationGraph actual = graph(DataType.DOUBLE);
        InPlaceRelu.install(actual);
        train(expected, DataType.DOUBLE);
        train(actual, DataType.DOUBLE);
        assertArrayEquals(expected.params().toDoubleVector(), actual.params().toDoubleVector());
        assertEquals(expected.score(), actual.score());
    }

    @Test
    void trainsBitForBitAsDl4jsReluUnderTheTrainingHelpers() {
        ComputationGraph expected = graph(DataType.FLOAT);
        BatchNormHelpers.install(expected);
        ConvolutionHelpers.install(expected);
        ComputationGraph actual = graph(DataType.FLOAT);
        TrainingHelpers.install(actual);
        assertInstanceOf(InPlaceRelu.TrainingLayer.class, actual.getLayer("relu1"));
        train(expected, DataType.FLOAT);
        train(actual, DataType.FLOAT);
        assertArrayEquals(expected.params().toFloatVector(), actual.params().toFloatVector());
        INDArray x = input(99, DataType.FLOAT);
        assertArrayEquals(expected.outputSingle(x).ravel().toFloatVector(),
                actual.outputSingle(x).ravel().toFloatVector(), "inference after training");
    }

    /** One step's activations (DL4J keeps them all in one workspace per thread): two ReLU outputs fewer. */
    @Test
    void holdsTwoReluOutputsLessPerStep() {
        long copying = activationBytesOfOneStep(graph(DataType.FLOAT));
        ComputationGraph inPlace = graph(DataType.FLOAT);
        InPlaceRelu.install(inPlace);
        long saved = copying - activationBytesOfOneStep(inPlace);
        long reluOutput = (long) N * C * SIZE * SIZE * Float.BYTES;
        assertTrue(saved >= 2 * reluOutput && saved < 3 * reluOutput,
                "saved " + saved + " bytes; one ReLU output is " + reluOutput);
    }
}
