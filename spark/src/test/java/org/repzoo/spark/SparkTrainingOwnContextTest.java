package org.repzoo.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.InputShape;

/**
 * The entry point the command line uses ({@code fit(master, ...)}: a context of its own, minibatches as lists) trains
 * as the context-taking one does: two epochs lower the loss, and the context is gone afterwards (a second call
 * starts its own).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SparkTrainingOwnContextTest {

    @Test
    void trainsOnItsOwnContextAndStopsIt() throws IOException {
        Nd4j.getRandom().setSeed(3);
        INDArray features = Nd4j.rand(DataType.FLOAT, 32, 3, 8, 8);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 32, 2);
        for (int i = 0; i < 32; i++) {
            labels.putScalar(i, i % 2, 1);
            features.get(NDArrayIndex.point(i), NDArrayIndex.point(i % 2)).addi(0.5);
        }
        GraphScope root = GraphScope.start("tiny", InputShape.of(3, 8, 8), 3);
        String x = root.relu("features.1", root.conv("features.0", GraphScope.INPUT, Conv.of(4, 3).padding(1)));
        String out = root.logits("fc", root.globalAvgPool("avgpool", x), 2, Inits.linearDefault(4));
        ComputationGraph built = new ComputationGraph(root.build(out));
        built.init();
        ComputationGraph graph = RecipeApplier.apply(built, Recipes.RESNET.withEpochs(2), 4);
        List<MultiDataSet> batches = new ArrayList<>();
        for (int b = 0; b < 4; b++) {
            batches.add(OutputBatches.of(graph, features.get(NDArrayIndex.interval(8 * b, 8 * b + 8)).dup(),
                    labels.get(NDArrayIndex.interval(8 * b, 8 * b + 8)).dup()));
        }
        double before = graph.score(OutputBatches.of(graph, features, labels), false);
        List<String> notes = new ArrayList<>();
        SparkTraining.Settings settings = SparkTraining.Settings.of(SparkTraining.Mode.AVERAGING, 8, 3);
        ComputationGraph trained = graph;
        for (int run = 0; run < 2; run++) {
            trained = SparkTraining.fit("local[2]", trained, epoch -> batches, 2, settings, run, run + 1,
                    (g, epoch, loss) -> { }, notes::add);
        }
        double after = trained.score(OutputBatches.of(trained, features, labels), false);
        assertTrue(after < before, before + " -> " + after);
        assertEquals(2, notes.size());
        assertTrue(notes.get(0).startsWith("Spark local[2] started in "), notes.get(0));
        assertTrue(notes.get(0).endsWith("averaging mode"), notes.get(0));
    }
}
