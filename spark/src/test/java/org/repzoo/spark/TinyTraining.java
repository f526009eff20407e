package org.repzoo.spark;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.InputShape;

/**
 * The Spark training tests' problem: a conv, BatchNorm, ReLU, pooling net with two classifier heads (the second as
 * GoogLeNet's auxiliary one) and GoogLeNet's recipe, on 96 seeded 3x8x8 examples in 12 minibatches of 8. Class c is a
 * brighter channel c over uniform noise: learnable in a few epochs but not at once.
 */
final class TinyTraining {

    static final long SEED = 7;
    static final int CLASSES = 3;
    static final int EXAMPLES = 96;
    static final int BATCH = 8;
    static final int BATCHES = EXAMPLES / BATCH;

    final INDArray features;
    final INDArray labels;

    TinyTraining() {
        Nd4j.getRandom().setSeed(SEED);
        features = Nd4j.rand(DataType.FLOAT, EXAMPLES, 3, 8, 8);
        labels = Nd4j.zeros(DataType.FLOAT, EXAMPLES, CLASSES);
        for (int i = 0; i < EXAMPLES; i++) {
            int label = i % CLASSES;
            labels.putScalar(i, label, 1);
            features.get(NDArrayIndex.point(i), NDArrayIndex.point(label)).addi(0.5);
        }
    }

    /** GoogLeNet's recipe: momentum SGD, weight decay, a step schedule, and a weight for the auxiliary head's loss. */
    static Recipe recipe(int epochs) {
        return Recipes.GOOGLENET.withBatchSize(BATCH).withEpochs(epochs);
    }

    /** The net, initialised from the seed, with the recipe applied. */
    static ComputationGraph net(Recipe recipe) {
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

    /** The 12 minibatches, one label array per output of {@code graph}. */
    List<MultiDataSet> batches(ComputationGraph graph) {
        List<MultiDataSet> batches = new ArrayList<>();
        for (int b = 0; b < BATCHES; b++) {
            batches.add(OutputBatches.of(graph, features.get(NDArrayIndex.interval(b * BATCH, (b + 1) * BATCH)).dup(),
                    labels.get(NDArrayIndex.interval(b * BATCH, (b + 1) * BATCH)).dup()));
        }
        return batches;
    }

    /** The main head's loss (plus the weighted auxiliary one) on all 96 examples. */
    double loss(ComputationGraph graph) {
        return graph.score(OutputBatches.of(graph, features, labels), false);
    }
}
