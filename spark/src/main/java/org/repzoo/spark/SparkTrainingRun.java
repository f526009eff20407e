package org.repzoo.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.checkpoint.DataOrder;
import org.repzoo.training.checkpoint.RunFolderException;
import org.repzoo.training.checkpoint.TrainingCheckpoints;
import org.repzoo.training.data.Augmenter;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.training.data.TrainingData;
import org.repzoo.training.engine.EpochRecord;
import org.repzoo.training.engine.ModelSpec;
import org.repzoo.training.engine.Trainer;
import org.repzoo.training.engine.TrainingCurve;
import org.repzoo.training.engine.TrainingLog;
import org.repzoo.training.engine.TrainingOptions;
import org.repzoo.training.engine.TrainingRun;
import org.repzoo.training.engine.Validation;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.RecipeFiles;
import org.repzoo.zoo.core.EvalPreset;

/**
 * A whole training run on Spark: the same data, augmentation, recipe and run directory as one JVM
 * ({@code TrainingRun}), trained by DL4J's Spark training masters ({@link SparkTraining}); a checkpoint, a validation,
 * a log entry and the curve after each epoch, and a resumed run continues from the last epoch's checkpoint. The
 * driver builds each epoch's augmented minibatches (in the run's data order) and Spark spreads them over the workers:
 * fine for data that fits the driver's memory per epoch (Fashion-MNIST: 250 MB), not for ImageNet, whose images the
 * workers would have to decode themselves.
 */
public final class SparkTrainingRun {

    private SparkTrainingRun() {
    }

    /**
     * @param master       Spark's master URL; empty for spark-submit's, else local[*]
     * @param partitions   Spark partitions of each epoch's minibatches (0: one per core)
     * @param stallTimeout how long an epoch may make no progress before the run ends with a
     *                     {@link SparkStallException} naming the last checkpoint
     * @param progress     told each line worth printing ({@link Trainer.Progress#note}) and each epoch's record
     */
    public static TrainingRun.Result run(ModelSpec spec, TrainingData data, Recipe recipe, TrainingOptions options,
                                         Path modelFile, String master, SparkTraining.Mode mode, int partitions,
                                         Duration stallTimeout, Trainer.Progress progress) throws IOException {
        long start = System.nanoTime();
        EvalPreset preset = TrainingRun.preset(spec, data);
        int classes = data.train().classNames().size();
        ComputationGraph initial = spec.init(classes, options.seed());
        Files.createDirectories(options.runDirectory());
        Recipe used = recipe;
        ComputationGraph graph;
        TrainingLog log;
        int firstEpoch = 0;
        int batchesPerEpoch = data.train().samples().size() / recipe.batchSize();
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException("the training set is smaller than one batch of " + recipe.batchSize());
        }
        if (options.resume()) {
            RunFolderException.requireResumable(options.checkpoint());
            TrainingCheckpoints.Resumed resumed = TrainingCheckpoints.load(options.checkpoint(),
                    initial.getConfiguration());
            used = resumed.state().recipe();
            graph = resumed.graph();
            firstEpoch = resumed.state().epoch();
            log = Files.isRegularFile(options.log()) ? TrainingLog.read(options.log()).upTo(graph.getIterationCount())
                    : TrainingLog.start(spec.describe(), RecipeFiles.toJson(used), data.description(), options.seed());
            progress.note("resumed " + options.checkpoint() + " at epoch " + (firstEpoch + 1));
        } else {
            RunFolderException.requireNew(options.checkpoint());
            // Each averaging worker steps through about batchesPerEpoch / workers minibatches an epoch.
            int workers = Math.max(1, partitions > 0 ? partitions : Runtime.getRuntime().availableProcessors());
            graph = RecipeApplier.apply(initial, recipe, Math.max(1, batchesPerEpoch / workers));
            log = TrainingLog.start(spec.describe(), RecipeFiles.toJson(recipe), data.description(), options.seed());
        }
        Recipe chosen = used;
        progress.note(String.format(Locale.ROOT, "training %s on Spark (%s, %s mode) on %s; run directory %s",
                spec.describe(), master.isEmpty() ? "spark-submit's master or local[*]" : master,
                mode.name().toLowerCase(Locale.ROOT), data.description(), options.runDirectory()));
        ComputationGraph trained;
        try (BatchLoader train = new BatchLoader(data.train(), new Augmenter(chosen.augmentation(), preset), preset,
                options.seed(), options.workers());
             BatchLoader validation = new BatchLoader(data.validation(), null, preset, options.seed(),
                     options.workers())) {
            SparkTraining.EpochEnd checkpoint = SparkTraining.checkpointEachEpoch(options.checkpoint(), chosen,
                    options.seed(), batchesPerEpoch);
            ComputationGraph template = graph;
            SparkTraining.EpochEnd epochEnd = (g, epoch, loss) -> {
                Validation.Result result = Validation.run(g, validation, chosen.batchSize());
                EpochRecord record = new EpochRecord(epoch + 1, g.getIterationCount(), loss, Double.NaN,
                        result.loss(), result.top1(), result.top5(), Double.NaN, Double.NaN);
                log.epochs().add(record);
                checkpoint.epochDone(g, epoch, loss);
                log.write(options.log());
                TrainingCurve.write(log, batchesPerEpoch, options.curve());
                progress.note(String.format(Locale.ROOT, "epoch %d/%d: loss %.4f, validation loss %.4f, top-1 %.2f%%,"
                        + " top-5 %.2f%%", epoch + 1, chosen.epochs(), loss, result.loss(), 100 * result.top1(),
                        100 * result.top5()));
            };
            try {
                trained = SparkTraining.fit(master, graph,
                        epoch -> batches(train, template, chosen, epoch, options.seed()), partitions,
                        SparkTraining.Settings.of(mode, chosen.batchSize(), options.seed())
                                .withStallTimeout(stallTimeout),
                        firstEpoch, chosen.epochs(), epochEnd, note -> progress.note("repzoo: " + note));
            } catch (SparkStallException stall) {
                throw stall.ofRun(Files.isRegularFile(options.checkpoint()) ? options.checkpoint() : null);
            }
        }
        ComputationGraph model = TrainingRun.save(spec, initial, trained, data.train().classNames(), preset,
                modelFile);
        EpochRecord last = log.epochs().isEmpty() ? null : log.epochs().get(log.epochs().size() - 1);
        Validation.Result validation = last == null ? new Validation.Result(Double.NaN, Double.NaN, Double.NaN, 0)
                : new Validation.Result(last.validationLoss(), last.top1(), last.top5(), data.validation().samples().size());
        return new TrainingRun.Result(model, modelFile, preset, new Trainer.Outcome(trained, log, validation), chosen,
                (System.nanoTime() - start) / 1e9);
    }

    /** One epoch's augmented minibatches, in the run's data order for that epoch. */
    private static List<MultiDataSet> batches(BatchLoader train, ComputationGraph graph, Recipe recipe, int epoch,
                                              long seed) {
        int[] order = DataOrder.permutation(seed, epoch, train.size());
        int batch = recipe.batchSize();
        List<MultiDataSet> batches = new ArrayList<>();
        try {
            for (int b = 0; b + batch <= order.length; b += batch) {
                BatchLoader.Batch loaded = train.load(Arrays.copyOfRange(order, b, b + batch), epoch);
                batches.add(OutputBatches.of(graph, loaded.features(), loaded.labels()));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return batches;
    }
}
