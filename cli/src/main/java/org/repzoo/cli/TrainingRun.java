package org.repzoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.training.data.Augmenter;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.training.data.TrainingData;
import org.repzoo.training.engine.EpochRecord;
import org.repzoo.training.engine.ModelSpec;
import org.repzoo.training.engine.Trainer;
import org.repzoo.training.engine.TrainingOptions;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeFiles;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.weights.Provenance;

/**
 * One training run from the command line (shared by {@code train} and {@code demo}): the data, the preset, the
 * recipe fitted to the input size, a progress bar per epoch, and the final model saved as a model zip whose
 * provenance records its preset, so {@code eval}, {@code predict} and {@code convert} treat it like any other.
 */
final class TrainingRun {

    /** The trained model, where it went, and how the run ended. */
    record Result(ComputationGraph model, Path modelFile, EvalPreset preset, Trainer.Outcome outcome, Recipe recipe,
                  double seconds) {
    }

    private TrainingRun() {
    }

    /** The family's recipe, a named one, or a JSON file; then overrides, epochs, batch; crop = the input size. */
    static Recipe recipe(ModelSpec spec, String recipe, String overrides, Integer epochs, Integer batch)
            throws IOException {
        Recipe base;
        if (recipe == null) {
            base = Recipes.forFamily(spec.entry().family());
        } else if (recipe.endsWith(".json") || Files.exists(Path.of(recipe))) {
            base = RecipeFiles.load(Path.of(recipe));
        } else {
            base = Recipes.byName(recipe);
        }
        if (overrides != null) {
            base = RecipeFiles.override(base, overrides);
        }
        if (epochs != null) {
            base = base.withEpochs(epochs);
        }
        if (batch != null) {
            base = base.withBatchSize(batch);
        }
        int size = spec.inputShape().height();
        if (spec.inputShape().width() != size) {
            throw new IllegalArgumentException("training takes square inputs, got " + spec.inputShape());
        }
        return base.withAugmentation(base.augmentation().withCropSize(size));
    }

    /** The model's preset: the data's statistics for IDX images, else the architecture's at the input size. */
    static EvalPreset preset(ModelSpec spec, TrainingData data) throws IOException {
        int channels = spec.inputShape().channels();
        int size = spec.inputShape().height();
        if (data.idx()) {
            return data.statisticsPreset(channels, size);
        }
        EvalPreset registered = spec.entry().preset();
        if (channels != registered.channels()) {
            throw new IllegalArgumentException(spec.name() + " at " + spec.inputShape() + ": image folders train "
                    + registered.channels() + "-channel models");
        }
        int resize = (int) Math.round((double) registered.resizeSize() * size / registered.cropSize());
        return new EvalPreset(resize, size, registered.interpolation(), registered.mean(), registered.std(),
                registered.channelOrder(), registered.scale());
    }

    static Result run(ModelSpec spec, TrainingData data, Recipe recipe, TrainingOptions options, Path modelFile,
                      PrintWriter out) throws IOException {
        long start = System.nanoTime();
        EvalPreset preset = preset(spec, data);
        int classes = data.train().classNames().size();
        ComputationGraph initial = spec.init(classes, options.seed());
        out.printf("training %s (%s parameters) on %s%n"
                        + "  recipe %s: %s, batch %d%s, lr %.4g, %d epochs; run directory %s%n",
                spec.describe(), Formats.count(initial.numParams()), data.description(), recipe.name(),
                recipe.optimizer().kind().name().toLowerCase(), recipe.batchSize(),
                options.replicas() == 1 ? "" : " over " + options.replicas() + " ParallelWrapper replicas",
                recipe.effectiveLearningRate(), recipe.epochs(), options.runDirectory());
        out.flush();
        Trainer.Outcome outcome;
        try (BatchLoader train = new BatchLoader(data.train(), new Augmenter(recipe.augmentation(), preset), preset,
                options.seed(), options.workers());
             BatchLoader validation = new BatchLoader(data.validation(), null, preset, options.seed(),
                     options.workers());
             Bars bars = new Bars(out)) {
            outcome = new Trainer(recipe, train, validation, options, bars, spec.describe(), data.description())
                    .run(initial);
        }
        ComputationGraph model = save(spec, initial, outcome.graph(), data.train().classNames(), preset, modelFile);
        return new Result(model, modelFile, preset, outcome, recipe, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The trained weights in the architecture's own configuration (no recipe updater, no training-only loss classes),
     * so any DL4J project can load the zip; its provenance records the preset.
     */
    static ComputationGraph save(ModelSpec spec, ComputationGraph initial, ComputationGraph trained,
                                 List<String> classNames, EvalPreset preset, Path modelFile) throws IOException {
        ComputationGraph model = new ComputationGraph(initial.getConfiguration());
        model.init(trained.params().dup(), false);
        Files.createDirectories(modelFile.toAbsolutePath().getParent());
        Provenance provenance = Provenance.trained(spec.name(), spec.inputShape().toString(), preset, classNames);
        ModelFiles.save(model, modelFile, Map.of(ModelFiles.PROVENANCE, provenance.toJson()));
        return model;
    }

    /** A progress bar per epoch (batches, with loss, learning rate and images per second), a line per epoch. */
    private static final class Bars implements Trainer.Progress, AutoCloseable {
        private final PrintWriter out;
        private ProgressBar bar;
        private String task;

        Bars(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void epochStarted(int epoch, int epochs, int batchInEpoch, int batchesPerEpoch) {
            task = "epoch " + (epoch + 1) + "/" + epochs;
            bar = ProgressBars.items(task, "batch", batchesPerEpoch);
            bar.stepTo(batchInEpoch);
        }

        @Override
        public void iterationDone(long iteration, double loss, double learningRate, double imagesPerSecond) {
            bar.step();
            bar.setExtraMessage(String.format(" loss %.3f lr %.3g %.0f img/s", loss, learningRate, imagesPerSecond));
        }

        @Override
        public void epochDone(EpochRecord r) {
            close();
            out.printf("%s: loss %.4f, validation loss %.4f, top-1 %.2f%%, top-5 %.2f%%, lr %.3g, %.0f img/s, %.0f s%n",
                    task, r.trainLoss(), r.validationLoss(), 100 * r.top1(), 100 * r.top5(), r.learningRate(),
                    r.imagesPerSecond(), r.seconds());
            out.flush();
        }

        @Override
        public void note(String line) {
            out.println(line);
            out.flush();
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
