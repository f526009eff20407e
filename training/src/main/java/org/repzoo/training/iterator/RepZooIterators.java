package org.repzoo.training.iterator;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.training.data.Augmenter;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.SettingException;

/**
 * RepZoo's data for DL4J's loops: any dataset RepZoo reads ({@code Datasets.open}: class folders, the ILSVRC
 * validation layout, IDX files) as a {@code DataSetIterator}, prepared as {@code repzoo eval} prepares its
 * {@code single} protocol or as {@code repzoo train} augments and orders a recipe's epochs. RepZoo's graphs output
 * logits (the softmax is in their loss), which DL4J's {@code Evaluation} refuses unless the configuration's
 * output-layer check is turned off; top-1 and top-k are the same on logits as on their softmax.
 *
 * <pre>{@code
 * Dataset val = Datasets.open(new Datasets.Source(folder, null, classFile, null, null));
 * EvalPreset preset = Zoo.registry().get("resnet50").preset();
 * graph.getConfiguration().setValidateOutputLayerConfig(false); // logits rank the classes as their softmax does
 * try (ImageDataSetIterator images = RepZooIterators.evaluation(val, preset, 64, 4)) {
 *     Evaluation top5 = graph.evaluate(images, images.getLabels(), 5);
 * }
 *
 * try (ImageDataSetIterator train = RepZooIterators.training(trainSet, recipe, preset, seed, 4)) {
 *     TrainingGraph.Prepared run = TrainingGraph.forFit(graph, recipe, train.batchesPerEpoch(), seed);
 *     run.graph().fit(train, recipe.epochs());   // the weights repzoo train ends with, bit for bit
 *     ComputationGraph trained = run.finalModel();
 * }
 * }</pre>
 */
public final class RepZooIterators {

    private RepZooIterators() {
    }

    /**
     * The evaluation view (the preset's resize and centre crop, normalised: the {@code single} protocol's input) of
     * every image, in the dataset's order, {@code batch} at a time (the last batch may be short).
     *
     * @param workers threads that decode and prepare the images
     * @throws BadInputException the dataset listed a problem (an empty class folder, a missing label)
     */
    public static ImageDataSetIterator evaluation(Dataset dataset, EvalPreset preset, int batch, int workers)
            throws BadInputException {
        return iterator(Examples.evaluation(dataset, preset, checkedWorkers(workers)), batch, false);
    }

    /**
     * The recipe's training batches: its augmentation (whose crop must be the preset's), normalised with the preset,
     * each epoch in {@code DataOrder}'s shuffle of ({@code seed}, epoch), {@code recipe.batchSize()} at a time (the
     * recipe's learning rate is set for that batch), the last partial batch dropped. These are the batches
     * {@code repzoo train} trains on with the same seed, whatever the number of workers.
     */
    public static ImageDataSetIterator training(Dataset dataset, Recipe recipe, EvalPreset preset, long seed,
                                                int workers) throws BadInputException {
        Augmenter augmenter = new Augmenter(recipe.augmentation(), preset);
        return iterator(Examples.training(dataset, augmenter, preset, seed, checkedWorkers(workers)),
                recipe.batchSize(), true);
    }

    /**
     * {@code images}' batches with the labels repeated for each of {@code graph}'s outputs, for graphs with
     * auxiliary classifiers; DL4J's {@code graph.evaluate} of it scores the first output, the main classifier.
     */
    public static GraphOutputsIterator forOutputs(ImageDataSetIterator images, ComputationGraph graph) {
        return new GraphOutputsIterator(images, graph.getConfiguration().getNetworkOutputs().size());
    }

    /** {@link #evaluation}'s images as a DataVec record reader. */
    public static PreparedImageRecordReader evaluationRecords(Dataset dataset, EvalPreset preset, int workers)
            throws BadInputException {
        return new PreparedImageRecordReader(Examples.evaluation(dataset, preset, checkedWorkers(workers)),
                block(workers));
    }

    /** {@link #training}'s examples, in its order and augmentation, as a DataVec record reader. */
    public static PreparedImageRecordReader trainingRecords(Dataset dataset, Recipe recipe, EvalPreset preset,
                                                            long seed, int workers) throws BadInputException {
        Augmenter augmenter = new Augmenter(recipe.augmentation(), preset);
        return new PreparedImageRecordReader(Examples.training(dataset, augmenter, preset, seed,
                checkedWorkers(workers)), block(workers));
    }

    /** The iterator, or its workers stopped again when the batch does not fit the data. */
    private static ImageDataSetIterator iterator(Examples examples, int batch, boolean dropLast) {
        try {
            return new ImageDataSetIterator(examples, batch, dropLast);
        } catch (RuntimeException e) {
            examples.close();
            throw e;
        }
    }

    private static int checkedWorkers(int workers) {
        if (workers < 1) {
            throw new SettingException("workers", "must be at least 1, got " + workers);
        }
        return workers;
    }

    /** Records built together when read one at a time: enough to keep every worker busy for a while. */
    private static int block(int workers) {
        return 8 * workers;
    }
}
