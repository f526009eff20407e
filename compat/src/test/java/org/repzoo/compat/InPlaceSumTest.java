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

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

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
    void trainsBitForBitAsDl4jsInDoubles() {
        assertTrainsAsDl4jInDoubles(InPlaceSum::install);
    }

    @Test
    void trainsBitForBitAsDl4jsUnderTheTrainingHelpers() {
        assertTrainsAsDl4jUnderTheHelpers(graph -> {
            assertInstanceOf(InPlaceSum.TrainingSum.class, graph.getVertex("add"));
            assertInstanceOf(InPlaceRelu.TrainingLayer.class, graph.getLayer("relu2"), "the ReLU after the sum too");
        });
    }

    /** One step's activations (DL4J keeps them all in one workspace per thread): one sum output fewer. */
    @Test
    void holdsOneSumOutputLessPerStep() {
        long saved = activationBytesSaved(InPlaceSum::install);
        long output = (long) N * C * SIZE * SIZE * Float.BYTES;
        assertTrue(saved >= output && saved < 2 * output, "saved " + saved + " bytes; one output is " + output);
    }
}
