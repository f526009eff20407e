package org.repzoo.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.repzoo.compat.InPlaceNets.C;
import static org.repzoo.compat.InPlaceNets.N;
import static org.repzoo.compat.InPlaceNets.SIZE;
import static org.repzoo.compat.InPlaceNets.activationBytesSaved;
import static org.repzoo.compat.InPlaceNets.assertTrainsAsDl4jInDoubles;
import static org.repzoo.compat.InPlaceNets.assertTrainsAsDl4jUnderTheHelpers;
import static org.repzoo.compat.InPlaceNets.graph;

import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

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
    void trainsBitForBitAsDl4jsInDoubles() {
        assertTrainsAsDl4jInDoubles(InPlaceRelu::install);
    }

    @Test
    void trainsBitForBitAsDl4jsUnderTheTrainingHelpers() {
        assertTrainsAsDl4jUnderTheHelpers(graph -> {
            assertInstanceOf(InPlaceRelu.TrainingLayer.class, graph.getLayer("relu1"));
        });
    }

    /** One step's activations (DL4J keeps them all in one workspace per thread): two ReLU outputs fewer. */
    @Test
    void holdsTwoReluOutputsLessPerStep() {
        long saved = activationBytesSaved(InPlaceRelu::install);
        long output = (long) N * C * SIZE * SIZE * Float.BYTES;
        assertTrue(saved >= 2 * output && saved < 3 * output, "saved " + saved + " bytes; one output is " + output);
    }
}
