package org.repzoo.training.parallel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.RecipeFiles;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.Inits;

/**
 * ParallelWrapper replicas against the arithmetic they promise: with the weights and the momentum averaged after
 * every round, two replicas on the halves of a batch take exactly the step of one graph on the whole batch (SGD with
 * momentum and weight decay are linear in the gradient, and the loss is a mean over the batch).
 */
class ParallelWrapperFitterTest {
    private static final int BATCH = 8;
    private static final int STEPS = 4;

    /** conv, ReLU, global pooling, optional BN and dropout, dense: RepVGG's recipe (momentum, decay, smoothing). */
    private static ComputationGraph graph(boolean batchNormAndDropout) throws Exception {
        GraphScope root = GraphScope.start("pw", InputShape.of(2, 6, 6), 3);
        String x = root.conv("features.0", GraphScope.INPUT, Conv.of(4, 3).padding(1));
        if (batchNormAndDropout) {
            x = root.batchNorm("features.1", x, 1e-5);
        }
        x = root.relu("features.2", x);
        x = root.globalAvgPool("avgpool", x);
        if (batchNormAndDropout) {
            x = root.dropout("dropout", x, 0.3);
        }
        ComputationGraphConfiguration conf = root.build(root.logits("fc", x, 3, Inits.linearDefault(4)));
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Nd4j.getRandom().setSeed(5);
        graph.setParams(Nd4j.rand(DataType.FLOAT, 1, graph.numParams()).subi(0.5));
        Recipe recipe = RecipeFiles.override(Recipes.REPVGG, """
                {"batchSize": 8, "referenceBatchSize": 8, "learningRate": 0.5, "epochs": 1, "weightDecay": 1e-2,
                 "labelSmoothing": 0.1}""");
        return RecipeApplier.apply(graph, recipe, STEPS);
    }

    private static MultiDataSet batch(int step) {
        Nd4j.getRandom().setSeed(100 + step);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 2, 6, 6);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 3);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, (i + step) % 3, 1);
        }
        return new MultiDataSet(x, y);
    }

    private static void train(ComputationGraph graph, int replicas, int from, int to) {
        try (BatchFitter fitter = BatchFitter.of(graph, replicas, 42)) {
            for (int step = from; step < to; step++) {
                fitter.fit(batch(step));
            }
        }
    }

    /** Compared after every batch, before the session ends: fit returns only once the round is averaged. */
    @Test
    void twoReplicasOnHalvesTakeTheStepOfOneGraphOnTheWholeBatch() throws Exception {
        ComputationGraph single = graph(false);
        ComputationGraph replicated = graph(false);
        INDArray initial = single.params().dup();
        try (BatchFitter fitter = BatchFitter.of(replicated, 2, 42)) {
            for (int step = 0; step < STEPS; step++) {
                single.fit(batch(step));
                fitter.fit(batch(step));
                String at = "after batch " + (step + 1);
                assertEquals(step + 1, replicated.getIterationCount(), at);
                assertArrayEquals(single.params().toFloatVector(), replicated.params().toFloatVector(), 1e-6f, at);
                assertArrayEquals(single.getUpdater().getStateViewArray().toFloatVector(),
                        replicated.getUpdater().getStateViewArray().toFloatVector(), 1e-6f, "momentum " + at);
                assertEquals(single.score(), replicated.score(), 1e-5, "the averaged score is the batch's loss " + at);
            }
        }
        double moved = single.params().sub(initial).amaxNumber().doubleValue();
        assertTrue(moved > 1e-2, "the weights moved " + moved);
    }

    /**
     * A run split over two sessions (as after a resume: the second starts new workers from the graph) ends with the
     * weights of a run in one session, bit for bit, dropout masks and batch-norm statistics included.
     */
    @Test
    void aRunSplitOverSessionsRepeatsOneSessionBitForBit() throws Exception {
        ComputationGraph whole = graph(true);
        train(whole, 2, 0, STEPS);
        ComputationGraph split = graph(true);
        train(split, 2, 0, 2);
        train(split, 2, 2, STEPS);
        assertArrayEquals(whole.params().toFloatVector(), split.params().toFloatVector(), 0f);
        assertArrayEquals(whole.getUpdater().getStateViewArray().toFloatVector(),
                split.getUpdater().getStateViewArray().toFloatVector(), 0f);
    }

    /** A learning rate set between sessions (VGG's plateau rule does it between epochs) reaches every replica. */
    @Test
    void aLearningRateSetBetweenSessionsReachesTheReplicas() throws Exception {
        ComputationGraph graph = graph(false);
        train(graph, 2, 0, 1);
        graph.setLearningRate(0.0);
        INDArray before = graph.params().dup();
        train(graph, 2, 1, 3);
        assertArrayEquals(before.toFloatVector(), graph.params().toFloatVector(), 0f);
        graph.setLearningRate(0.5);
        train(graph, 2, 3, 4);
        assertTrue(graph.params().sub(before).amaxNumber().doubleValue() > 1e-3, "lr 0.5 moves the weights again");
    }

    @Test
    void aBatchThatDoesNotSplitEvenlyIsRefusedByName() throws Exception {
        ComputationGraph graph = graph(false);
        try (BatchFitter fitter = BatchFitter.of(graph, 3, 42)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> fitter.fit(batch(0)));
            assertTrue(e.getMessage().contains("batch of 8 does not split evenly over 3 replicas"), e.getMessage());
        }
    }

    @Test
    void aFailingReplicaStopsTheLoopWithItsCause() throws Exception {
        ComputationGraph graph = graph(false);
        MultiDataSet wrongLabels = new MultiDataSet(batch(0).getFeatures(0), Nd4j.zeros(DataType.FLOAT, BATCH, 5));
        BatchFitter fitter = BatchFitter.of(graph, 2, 42);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> fitter.fit(wrongLabels));
        assertTrue(e.getMessage().startsWith("a replica failed"), e.getMessage());
        fitter.close();
    }
}
