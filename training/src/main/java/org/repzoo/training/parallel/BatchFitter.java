package org.repzoo.training.parallel;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * Fits one training batch to a graph. When {@link #fit} returns, the graph holds the weights, updater state and
 * score after that batch, so the caller may checkpoint, average or validate it.
 */
public interface BatchFitter extends AutoCloseable {

    void fit(MultiDataSet batch);

    /** Ends any parallel session (its worker threads); the next {@link #fit} starts a new one from the graph. */
    @Override
    void close();

    /** On this thread for one replica, else split across {@code replicas} ParallelWrapper workers. */
    static BatchFitter of(ComputationGraph graph, int replicas, long seed) {
        if (replicas < 1) {
            throw new IllegalArgumentException("replicas must be at least 1, got " + replicas);
        }
        return replicas == 1 ? new SingleFitter(graph) : new ParallelWrapperFitter(graph, replicas, seed);
    }
}
