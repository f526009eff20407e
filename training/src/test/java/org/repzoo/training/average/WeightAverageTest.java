package org.repzoo.training.average;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.Inits;

class WeightAverageTest {

    /** A graph with exactly 3 parameters: a dense 2 -> 1 layer (2 weights, 1 bias). */
    private static ComputationGraph threeParameters() {
        GraphScope root = GraphScope.start("t", InputShape.of(2, 1, 1), 1);
        ComputationGraphConfiguration conf = root.build(root.logits("fc", GraphScope.INPUT, 1, Inits.normal(1)));
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static void set(ComputationGraph graph, double a, double b, double c) {
        graph.setParams(Nd4j.createFromArray(new double[] {a, b, c}).reshape(1, 3).castTo(graph.params().dataType()));
    }

    /** decay 0.5: shadow = (1,2,3), then 0.5*(1,2,3) + 0.5*(3,2,1) = (2,2,2), then 0.5*(2,2,2) + 0.5*(0,0,4) = (1,1,3). */
    @Test
    void exponentialAverageByHand() {
        ComputationGraph graph = threeParameters();
        WeightAverage ema = WeightAverage.exponential(0.5);
        set(graph, 1, 2, 3);
        ema.update(graph);
        set(graph, 3, 2, 1);
        ema.update(graph);
        set(graph, 0, 0, 4);
        ema.update(graph);
        assertArrayEquals(new double[] {1, 1, 3}, ema.shadow().toDoubleVector(), 1e-6);
    }

    /** Polyak's average of (1,2,3), (3,2,1), (2,5,8) is their mean (2,3,4); copyTo puts it in the graph. */
    @Test
    void uniformAverageIsTheMeanOfAllIterates() {
        ComputationGraph graph = threeParameters();
        WeightAverage polyak = WeightAverage.uniform();
        set(graph, 1, 2, 3);
        polyak.update(graph);
        set(graph, 3, 2, 1);
        polyak.update(graph);
        set(graph, 2, 5, 8);
        polyak.update(graph);
        assertArrayEquals(new double[] {2, 3, 4}, polyak.shadow().toDoubleVector(), 1e-6);
        ComputationGraph target = threeParameters();
        polyak.copyTo(target);
        INDArray copied = target.params();
        assertArrayEquals(new double[] {2, 3, 4}, copied.toDoubleVector(), 1e-6);
    }
}
