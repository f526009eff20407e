package org.repzoo.examples;

import java.io.IOException;
import java.nio.file.Path;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.evaluation.classification.Evaluation;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Datasets;
import org.repzoo.training.engine.TrainingGraph;
import org.repzoo.training.iterator.ImageDataSetIterator;
import org.repzoo.training.iterator.RepZooIterators;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;

public class IteratorExample {
    /** Fine-tunes resnet18 on train/ (a folder per class) for one epoch. */
    public static ComputationGraph train(Path train) throws IOException {
        Dataset trainSet = Datasets.open(new Datasets.Source(train, null, null, null, null));  // class folders,
        ModelEntry entry = Zoo.registry().get("resnet18");                                     // ILSVRC val, IDX
        ComputationGraph graph = entry.init(ModelOptions.defaults().withClasses(trainSet.classNames().size()));
        EvalPreset preset = entry.preset();                               // resize 256, crop 224, ImageNet mean/std
        Recipe recipe = Recipes.RESNET.withBatchSize(4).withEpochs(1);    // torchvision's recipe, scaled to batch 4
        recipe = recipe.withAugmentation(recipe.augmentation().withCropSize(preset.cropSize()));
        long seed = 42;

        // repzoo train's batches: the recipe's augmentation and data order, decoded on 2 worker threads
        try (ImageDataSetIterator batches = RepZooIterators.training(trainSet, recipe, preset, seed, 2)) {
            TrainingGraph.Prepared run = TrainingGraph.forFit(graph, recipe, batches.batchesPerEpoch(), seed);
            run.graph().fit(batches, recipe.epochs());                    // the weights repzoo train ends with
            return run.finalModel();
        }
    }

    /** Scores the graph on val/ with DL4J's Evaluation: top-1, and top-5 when there are 5 classes. */
    public static Evaluation evaluate(ComputationGraph graph, Path val) throws IOException {
        Dataset valSet = Datasets.open(new Datasets.Source(val, null, null, null, null));
        EvalPreset preset = Zoo.registry().get("resnet18").preset();
        // repzoo eval --protocol single's images
        graph.getConfiguration().setValidateOutputLayerConfig(false);      // the graph outputs logits
        try (ImageDataSetIterator images = RepZooIterators.evaluation(valSet, preset, 8, 2)) {
            return graph.evaluate(images, images.getLabels(), Math.min(5, valSet.classNames().size()));
        }
    }

    public static void main(String[] args) throws IOException {
        System.out.println(evaluate(train(Path.of(args[0])), Path.of(args[1])).stats());
    }
}
