package org.repzoo.reparam;

import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.InputShape;

/** A quick inference speed figure for conversion reports (the bench command is the place for careful ones). */
final class InferenceTiming {

    private static final int WARM_UP = 1;
    private static final int RUNS = 3;

    private InferenceTiming() {
    }

    /** Median images per second over a few timed forward passes, after a warm-up. */
    static double imagesPerSecond(ComputationGraph graph, int batch, InputShape input) {
        INDArray x = Nd4j.rand(graph.params().dataType(), batch, input.channels(), input.height(), input.width());
        for (int i = 0; i < WARM_UP; i++) {
            graph.outputSingle(false, x);
        }
        double[] seconds = new double[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            graph.outputSingle(false, x);
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return batch / seconds[RUNS / 2];
    }
}
