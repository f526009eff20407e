package org.repzoo.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.checkpoint.RunFolderException;
import org.repzoo.training.checkpoint.TrainingCheckpoints;
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
 * ({@code TrainingRun}), trained by DL4J's Spark training masters ({@link SparkTraining}); a validation, a checkpoint,
 * a log entry and the curve after each epoch, and a resumed run continues from the last epoch's checkpoint.
 *
 * <p>The data goes by reference. The driver lists the dataset (paths and labels; for an IDX file its labels) and, for
 * each epoch, draws the run's data order ({@link DataOrder}) and sends each partition the samples of its minibatches
 * ({@link SampleBlock}: paths with labels, or IDX image numbers) and the epoch; executors read, augment and batch
 * their own share ({@link MinibatchLoader}, the single-JVM {@code BatchLoader} and {@code Augmenter}, seeded per
 * example), and validate the epoch's weights on their share of the validation set ({@link SparkValidation}). The
 * driver's memory does not grow with the number of images beyond their listing.
 */
public final class SparkTrainingRun {

    private SparkTrainingRun() {
    }

    /**
     * @param master       Spark's master URL; empty for spark-submit's, else local[*]
     * @param partitions   Spark partitions of each epoch's minibatches (0: Spark's default parallelism)
     * @param averagingFrequency minibatches each worker fits between two averages (averaging mode)
     * @param stallTimeout how long an epoch may make no progress before the run ends with a
     *                     {@link SparkStallException} naming the last checkpoint
     * @param progress     told each line worth printing ({@link Trainer.Progress#note}) and each epoch's record
     */
    public static TrainingRun.Result run(ModelSpec spec, TrainingData data, Recipe recipe, TrainingOptions options,
                                         Path modelFile, String master, SparkTraining.Mode mode, int partitions,
                                         int averagingFrequency, Duration stallTimeout, Trainer.Progress progress)
            throws IOException {
        long start = System.nanoTime();
        EvalPreset preset = TrainingRun.preset(spec, data);
        int classes = data.train().classNames().size();
        ComputationGraph initial = spec.init(classes, options.seed());
        Files.createDirectories(options.runDirectory());
        int batchesPerEpoch = data.train().samples().size() / recipe.batchSize();
        if (batchesPerEpoch == 0) {
            throw new IllegalArgumentException("the training set is smaller than one batch of " + recipe.batchSize());
        }
        TrainingCheckpoints.Resumed resumed = null;
        if (options.resume()) {
            RunFolderException.requireResumable(options.checkpoint());
            resumed = TrainingCheckpoints.load(options.checkpoint(), initial.getConfiguration());
        } else {
            RunFolderException.requireNew(options.checkpoint());
        }
        ComputationGraph trained;
        Recipe chosen;
        TrainingLog log;
        long sparkStart = System.nanoTime();
        try (JavaSparkContext spark = SparkContexts.start("repzoo train", master)) {
            progress.note(String.format(Locale.ROOT, "repzoo: Spark %s started in %.1f s (parallelism %d), %s mode",
                    spark.master(), (System.nanoTime() - sparkStart) / 1e9, spark.defaultParallelism(),
                    mode.name().toLowerCase(Locale.ROOT)));
            int slices = partitions > 0 ? partitions : spark.defaultParallelism();
            ComputationGraph graph;
            int firstEpoch = 0;
            if (resumed != null) {
                chosen = resumed.state().recipe();
                graph = resumed.graph();
                firstEpoch = resumed.state().epoch();
                log = Files.isRegularFile(options.log())
                        ? TrainingLog.read(options.log()).upTo(graph.getIterationCount())
                        : TrainingLog.start(spec.describe(), RecipeFiles.toJson(chosen), data.description(),
                        options.seed());
                progress.note("resumed " + options.checkpoint() + " at epoch " + (firstEpoch + 1));
            } else {
                chosen = recipe;
                // Each averaging worker steps through about batchesPerEpoch / partitions minibatches an epoch.
                graph = RecipeApplier.apply(initial, recipe, Math.max(1, batchesPerEpoch / slices));
                log = TrainingLog.start(spec.describe(), RecipeFiles.toJson(recipe), data.description(),
                        options.seed());
            }
            progress.note(String.format(Locale.ROOT, "training %s on Spark (%s, %s mode, %d partitions) on %s; run "
                            + "directory %s", spec.describe(), spark.master(), mode.name().toLowerCase(Locale.ROOT),
                    slices, data.description(), options.runDirectory()));
            ShippedPreset shippedPreset = ShippedPreset.of(preset);
            ShippedImages validationImages = ShippedImages.of(data.validation());
            ReferenceData inputs = new ReferenceData(spark, data.train(), shippedPreset, chosen.augmentation(),
                    chosen.batchSize(), options.seed(), options.workers(), OutputBatches.outputs(graph), slices);
            SparkTraining.EpochEnd checkpoint = SparkTraining.checkpointEachEpoch(options.checkpoint(), chosen,
                    options.seed(), batchesPerEpoch);
            try (SparkTraffic traffic = SparkTraffic.start(spark, graph, inputs.imagesRead())) {
                Recipe used = chosen;
                SparkTraining.EpochEnd epochEnd = (g, epoch, loss) -> {
                    long driverStart = System.nanoTime();
                    Validation.Result result = SparkValidation.run(spark, g, data.validation(), validationImages,
                            shippedPreset, options.seed(), used.batchSize(), options.workers(), slices);
                    EpochRecord record = new EpochRecord(epoch + 1, g.getIterationCount(), loss, Double.NaN,
                            result.loss(), result.top1(), result.top5(), Double.NaN, Double.NaN);
                    log.epochs().add(record);
                    checkpoint.epochDone(g, epoch, loss);
                    log.write(options.log());
                    TrainingCurve.write(log, batchesPerEpoch, options.curve());
                    progress.note(String.format(Locale.ROOT, "epoch %d/%d: loss %.4f, validation loss %.4f, top-1 "
                                    + "%.2f%%, top-5 %.2f%%", epoch + 1, used.epochs(), loss, result.loss(),
                            100 * result.top1(), 100 * result.top5()));
                    traffic.epochDone(epoch, inputs.shippedBytes(epoch), (System.nanoTime() - driverStart) / 1e9)
                            .ifPresent(line -> progress.note("repzoo: " + line));
                };
                trained = SparkTraining.fit(spark, graph, inputs, SparkTraining.Settings.of(mode,
                                chosen.batchSize(), options.seed()).withAveragingFrequency(averagingFrequency)
                                .withStallTimeout(stallTimeout), firstEpoch, chosen.epochs(), epochEnd);
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
}
