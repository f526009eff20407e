package org.repzoo.training.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.training.data.Augmenter;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.training.data.TrainingData;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeFiles;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.Graphs;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.core.Provenance;

/**
 * One whole training run in this JVM: the data, the preset, the recipe fitted to the input size, the {@link Trainer}
 * reporting to a {@link Trainer.Progress}, and the final model saved as a model zip whose provenance records its
 * preset, so that evaluation, prediction and conversion treat it like any other model file.
 */
public final class TrainingRun {

    /** The trained model, where it went, and how the run ended. */
    public record Result(ComputationGraph model, Path modelFile, EvalPreset preset, Trainer.Outcome outcome,
                         Recipe recipe,
                  double seconds) {
    }

    private TrainingRun() {
    }

    /** The family's recipe, a named one, or a JSON file; then overrides, epochs, batch; crop = the input size. */
    /**
     * @param recipe    null for the family's, a registered name, or a JSON recipe file
     * @param overrides a JSON object of recipe fields to change, or null
     * @param epochs    null, or the number of epochs
     * @param batch     null, or the batch size
     */
    public static Recipe recipe(ModelSpec spec, String recipe, String overrides, Integer epochs, Integer batch)
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
    public static EvalPreset preset(ModelSpec spec, TrainingData data) throws IOException {
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

    /** Trains {@code spec} on {@code data} and saves the final model to {@code modelFile}. */
    public static Result run(ModelSpec spec, TrainingData data, Recipe recipe, TrainingOptions options,
                             Path modelFile, Trainer.Progress progress) throws IOException {
        long start = System.nanoTime();
        EvalPreset preset = preset(spec, data);
        int classes = data.train().classNames().size();
        ComputationGraph initial = spec.init(classes, options.seed());
        progress.note(String.format(Locale.ROOT, "training %s (%,d parameters) on %s%n"
                        + "  recipe %s: %s, batch %d%s, lr %.4g, %d epochs; run directory %s",
                spec.describe(), initial.numParams(), data.description(), recipe.name(),
                recipe.optimizer().kind().name().toLowerCase(Locale.ROOT), recipe.batchSize(),
                options.replicas() == 1 ? "" : " over " + options.replicas() + " ParallelWrapper replicas",
                recipe.effectiveLearningRate(), recipe.epochs(), options.runDirectory()));
        Trainer.Outcome outcome;
        try (BatchLoader train = new BatchLoader(data.train(), new Augmenter(recipe.augmentation(), preset), preset,
                options.seed(), options.workers());
             BatchLoader validation = new BatchLoader(data.validation(), null, preset, options.seed(),
                     options.workers())) {
            outcome = new Trainer(recipe, train, validation, options, progress, spec.describe(), data.description())
                    .run(initial);
        }
        ComputationGraph model = save(spec, initial, outcome.graph(), data.train().classNames(), preset, modelFile);
        return new Result(model, modelFile, preset, outcome, recipe, (System.nanoTime() - start) / 1e9);
    }

    /**
     * The trained weights in the architecture's own configuration (no recipe updater, no training-only loss classes),
     * so any DL4J project can load the zip; its provenance records the preset.
     */
    public static ComputationGraph save(ModelSpec spec, ComputationGraph initial, ComputationGraph trained,
                                        List<String> classNames, EvalPreset preset, Path modelFile)
            throws IOException {
        ComputationGraph model = Graphs.withParameters(initial.getConfiguration(), trained.params().dup());
        Files.createDirectories(modelFile.toAbsolutePath().getParent());
        Provenance provenance = Provenance.trained(spec.name(), spec.inputShape().toString(), preset, classNames);
        ModelFiles.save(model, modelFile, Map.of(ModelFiles.PROVENANCE, provenance.toJson()));
        return model;
    }
}
