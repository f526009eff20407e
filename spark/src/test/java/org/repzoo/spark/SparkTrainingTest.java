package org.repzoo.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.repzoo.spark.TinyTraining.BATCH;
import static org.repzoo.spark.TinyTraining.SEED;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.training.checkpoint.TrainingCheckpoints;
import org.repzoo.training.recipe.Recipe;

/**
 * Spark training in local[2] of a small conv net (conv, BatchNorm, ReLU, pooling, two classifier heads as GoogLeNet's
 * auxiliary one) with GoogLeNet's recipe: the loss falls, a run repeats exactly with the same seed, and a run resumed
 * from its epoch checkpoint ends with the weights of a run never stopped.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SparkTrainingTest {

    private static JavaSparkContext spark;
    private static TinyTraining problem;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkContexts.start("repzoo-test", "local[2]");
        problem = new TinyTraining();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Recipe recipe(int epochs) {
        return TinyTraining.recipe(epochs);
    }

    private static ComputationGraph net(Recipe recipe) {
        return TinyTraining.net(recipe);
    }

    private static double loss(ComputationGraph graph) {
        return problem.loss(graph);
    }

    private static ComputationGraph train(ComputationGraph graph, SparkTraining.Mode mode, int from, int to,
                                          SparkTraining.EpochEnd listener) throws IOException {
        SparkTraining.EpochData data = SparkTraining.EpochData.shuffled(spark, problem.batches(graph), SEED, 2);
        // DL4J's adaptive encoding sends about 1% of the elements per step: for a net of 400 parameters, 4.
        return SparkTraining.fit(spark, graph, data, SparkTraining.Settings.of(mode, BATCH, SEED)
                .withAveragingFrequency(3).withSharing(40123, 1e-3), from, to, listener);
    }

    @Test
    void averagingLowersTheLossAndRepeatsWithTheSeed() throws IOException {
        ComputationGraph start = net(recipe(4));
        double before = loss(start);
        List<Double> epochLosses = new ArrayList<>();
        ComputationGraph first = train(start.clone(), SparkTraining.Mode.AVERAGING, 0, 4,
                (graph, epoch, loss) -> epochLosses.add(loss));
        double after = loss(first);
        assertTrue(after < 0.8 * before, "loss " + before + " -> " + after + ", per epoch " + epochLosses);
        assertEquals(4, epochLosses.size());
        ComputationGraph second = train(start.clone(), SparkTraining.Mode.AVERAGING, 0, 4, (graph, epoch, loss) -> { });
        assertEquals(first.params(), second.params(), "same seed, same data: the same weights");
        assertEquals(first.getUpdater().getStateViewArray(), second.getUpdater().getStateViewArray());
    }

    @Test
    void resumingFromAnEpochCheckpointEndsWithTheWeightsOfARunNeverStopped(@TempDir Path temp) throws IOException {
        Recipe recipe = recipe(4);
        ComputationGraph start = net(recipe);
        ComputationGraph straight = train(start.clone(), SparkTraining.Mode.AVERAGING, 0, 4, (g, e, l) -> { });

        Path checkpoint = temp.resolve("run.ckpt");
        train(start.clone(), SparkTraining.Mode.AVERAGING, 0, 2,
                SparkTraining.checkpointEachEpoch(checkpoint, recipe, SEED, TinyTraining.BATCHES));
        Nd4j.getRandom().setSeed(12345); // as in a new process
        TrainingCheckpoints.Resumed resumed = TrainingCheckpoints.load(checkpoint, start.getConfiguration());
        assertEquals(2, resumed.state().epoch());
        ComputationGraph continued = train(resumed.graph(), SparkTraining.Mode.AVERAGING, resumed.state().epoch(), 4,
                (g, e, l) -> { });
        assertEquals(straight.params(), continued.params());
    }

    @Test
    void gradientSharingLowersTheLoss() throws IOException {
        ComputationGraph start = net(recipe(4));
        List<Double> losses = new ArrayList<>(List.of(loss(start)));
        train(start.clone(), SparkTraining.Mode.SHARED, 0, 4, (graph, epoch, loss) -> losses.add(loss(graph)));
        for (int epoch = 1; epoch < losses.size(); epoch++) {
            assertTrue(losses.get(epoch) < losses.get(epoch - 1), "loss per epoch " + losses);
        }
        assertTrue(losses.get(4) < 0.95 * losses.get(0), "loss per epoch " + losses);
    }
}
