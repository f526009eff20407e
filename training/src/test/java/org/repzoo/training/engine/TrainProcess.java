package org.repzoo.training.engine;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.repzoo.training.data.Augmenter;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.training.data.TrainingData;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeFiles;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFiles;

/**
 * A training run in its own process, for {@link KillResumeTest}: a tiny RepVGG on tiny IDX data with the RepVGG
 * recipe (cosine, momentum, no decay on BN/bias), label smoothing, an EMA and augmentation, checkpointing every
 * iteration. Arguments: data folder, run folder, {@code fresh|resume}, milliseconds to pause after each iteration
 * (so that the test can kill it mid-run), and optionally the number of ParallelWrapper replicas (default 1). Writes the
 * final weights to {@code run/final.zip}.
 */
public final class TrainProcess {

    static final ModelSpec MODEL = new ModelSpec("repvgg_a0", InputShape.of(1, 12, 12), 0.05, List.of(1, 1, 1, 1),
            null);
    static final EvalPreset PRESET = new EvalPreset(12, 12, EvalPreset.Interpolation.BILINEAR, List.of(0.3),
            List.of(0.3), EvalPreset.ChannelOrder.RGB, 1);
    static final long SEED = 11;

    static Recipe recipe() throws Exception {
        return RecipeFiles.override(Recipes.REPVGG, """
                {"batchSize": 8, "epochs": 3, "labelSmoothing": 0.1, "averaging": {"kind": "EXPONENTIAL", "decay": 0.9},
                 "augmentation": {"crop": "PAD_CROP", "cropSize": 12, "padding": 2, "flip": "HORIZONTAL"}}""");
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        Path run = Path.of(args[1]);
        boolean resume = args[2].equals("resume");
        long pauseMillis = Long.parseLong(args[3]);
        TrainingData trainingData = TrainingData.open(data.toString());
        Recipe recipe = recipe();
        int replicas = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        TrainingOptions options = TrainingOptions.in(run).withSeed(SEED).withCheckpointEvery(1).withLogEvery(1)
                .withReplicas(replicas).withStart(resume ? TrainingOptions.Start.RESUME : TrainingOptions.Start.NEW);
        try (BatchLoader train = new BatchLoader(trainingData.train(), new Augmenter(recipe.augmentation(), PRESET),
                PRESET, SEED, 2);
             BatchLoader validation = new BatchLoader(trainingData.validation(), null, PRESET, SEED, 2)) {
            Trainer.Outcome outcome = new Trainer(recipe, train, validation, options, new Trainer.Progress() {
                @Override
                public void epochStarted(int epoch, int epochs, int batchInEpoch, int batchesPerEpoch) {
                }

                @Override
                public void iterationDone(long iteration, double loss, double learningRate, double imagesPerSecond) {
                    try {
                        Thread.sleep(pauseMillis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }

                @Override
                public void epochDone(EpochRecord record) {
                }

                @Override
                public void note(String line) {
                    System.out.println(line);
                }
            }, MODEL.describe(), data.toString()).run(MODEL.init(trainingData.train().classNames().size(), SEED));
            ModelFiles.save(outcome.graph(), run.resolve("final.zip"), Map.of());
        }
    }
}
