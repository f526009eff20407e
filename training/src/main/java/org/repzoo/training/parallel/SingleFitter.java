package org.repzoo.training.parallel;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/** One graph, fitted on the calling thread. */
final class SingleFitter implements BatchFitter {
    private final ComputationGraph graph;

    SingleFitter(ComputationGraph graph) {
        this.graph = graph;
    }

    @Override
    public void fit(MultiDataSet batch) {
        graph.fit(batch);
    }

    @Override
    public void close() {
    }
}
