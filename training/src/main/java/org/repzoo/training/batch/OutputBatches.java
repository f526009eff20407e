package org.repzoo.training.batch;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;

/**
 * A training batch for every output of a graph. GoogLeNet and Inception v3 have auxiliary classifiers as extra
 * network outputs, and DL4J needs one label array per output: each head learns the same labels, and the recipe's
 * loss weights (see {@code RecipeApplier}) decide how much each counts in the total.
 */
public final class OutputBatches {

    private OutputBatches() {
    }

    public static MultiDataSet of(ComputationGraph graph, INDArray features, INDArray labels) {
        return of(outputs(graph), features, labels);
    }

    /** The number of label arrays a batch for {@code graph} holds. */
    public static int outputs(ComputationGraph graph) {
        return graph.getConfiguration().getNetworkOutputs().size();
    }

    /** A batch for a graph of {@code outputs} outputs (where the graph is not at hand: a Spark executor's loader). */
    public static MultiDataSet of(int outputs, INDArray features, INDArray labels) {
        if (outputs < 1) {
            throw new IllegalArgumentException("a graph has at least one output, got " + outputs);
        }
        if (features.size(0) != labels.size(0)) {
            throw new IllegalArgumentException(features.size(0) + " images but " + labels.size(0) + " label rows");
        }
        INDArray[] perOutput = new INDArray[outputs];
        for (int i = 0; i < outputs; i++) {
            perOutput[i] = labels; // the heads only read their labels
        }
        return new MultiDataSet(new INDArray[] {features}, perOutput);
    }
}
