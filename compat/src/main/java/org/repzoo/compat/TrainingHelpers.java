package org.repzoo.compat;

import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * The layer helpers a graph trains with: the plane batch norm ({@link BatchNormHelpers}), the oneDNN training
 * convolution ({@link ConvolutionHelpers}), and ReLU layers and sums that train in place ({@link InPlaceRelu},
 * {@link InPlaceSum}). Only the live layers change; a saved model is untouched.
 */
public final class TrainingHelpers {
    private TrainingHelpers() {
    }

    public static void install(ComputationGraph graph) {
        BatchNormHelpers.install(graph);
        ConvolutionHelpers.install(graph);
        InPlaceSum.install(graph);
        InPlaceRelu.install(graph);
    }
}
