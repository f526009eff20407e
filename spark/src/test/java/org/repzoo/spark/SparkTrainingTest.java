package org.repzoo.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.checkpoint.TrainingCheckpoints;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.InputShape;

/**
 * Spark training in local[2] of a small conv net (conv, BatchNorm, ReLU, pooling, two classifier heads as GoogLeNet's
 * auxiliary one) with GoogLeNet's recipe: the loss falls, a run repeats exactly with the same seed, and a run resumed
 * from its epoch checkpoint ends with the weights of a run never stopped.
 */
class SparkTrainingTest {

    private static final long SEED = 7;
    private static final int CLASSES = 3;
    private static final int EXAMPLES = 96;
    private static final int BATCH = 8;
    private static final int BATCHES = EXAMPLES / BATCH;
    private static JavaSparkContext spark;
    private static INDArray features;
    private static INDArray labels;

    @BeforeAll
    static void start() {
        spark = SparkContexts.start("repzoo-test", "local[2]");
        // Class c: a brighter channel c over uniform noise, learnable in a few epochs but not at once.
        Nd4j.getRandom().setSeed(SEED);
        features = Nd4j.rand(DataType.FLOAT, EXAMPLES, 3, 8, 8);
        labels = Nd4j.zeros(DataType.FLOAT, EXAMPLES, CLASSES);
        for (int i = 0; i < EXAMPLES; i++) {
            int label = i % CLASSES;
            labels.putScalar(i, label, 1);
            features.get(NDArrayIndex.point(i), NDArrayIndex.point(label)).addi(0.5);
        }
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Recipe recipe(int epochs) {
        // GoogLeNet's: momentum SGD, weight decay, a step schedule, and a weight for the auxiliary head's loss.
        return Recipes.GOOGLENET.withBatchSize(BATCH).withEpochs(epochs);
    }

    /** The tiny net, initialised from the seed, with the recipe applied. */
    private static ComputationGraph net(Recipe recipe) {
        GraphScope root = GraphScope.start("tiny", InputShape.of(3, 8, 8), SEED);
        String x = root.conv("features.0", GraphScope.INPUT, Conv.of(8, 3).padding(1));
        x = root.batchNorm("features.1", x, 1e-5);
        x = root.relu("features.2", x);
        String pooled = root.globalAvgPool("avgpool", x);
        String main = root.logits("fc", pooled, CLASSES, Inits.linearDefault(8));
        String aux = root.logits("aux.fc", root.globalAvgPool("aux.pool", "features.0"), CLASSES,
                Inits.linearDefault(8), 0.3);
        ComputationGraph graph = new ComputationGraph(root.build(main, aux));
        graph.init();
        return RecipeApplier.apply(graph, recipe, BATCHES / 2);
    }

    private static List<MultiDataSet> batches(ComputationGraph graph) {
        List<MultiDataSet> batches = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            batches.add(OutputBatches.of(graph, features.get(NDArrayIndex.interval(b * BATCH, (b + 1) * BATCH)).dup(),
                    labels.get(NDArrayIndex.interval(b * BATCH, (b + 1) * BATCH)).dup()));
        }
        return batches;
    }

    private static double loss(ComputationGraph graph) {
        return graph.score(OutputBatches.of(graph, features, labels), false);
    }

    private static ComputationGraph train(ComputationGraph graph, SparkTraining.Mode mode, int from, int to,
                                          SparkTraining.EpochEnd listener) throws IOException {
        SparkTraining.EpochData data = SparkTraining.EpochData.shuffled(spark, batches(graph), SEED, 2);
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
                SparkTraining.checkpointEachEpoch(checkpoint, recipe, SEED, BATCHES));
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
