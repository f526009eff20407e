package org.repzoo.training.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.schedule.ISchedule;
import org.repzoo.compat.Threads;
import org.repzoo.training.average.WeightAverage;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.checkpoint.DataOrder;
import org.repzoo.training.checkpoint.RunFolderException;
import org.repzoo.training.checkpoint.TrainingCheckpoints;
import org.repzoo.training.checkpoint.TrainingState;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.training.parallel.BatchFitter;
import org.repzoo.training.recipe.LearningRates;
import org.repzoo.training.recipe.LrSchedule;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeFiles;
import org.repzoo.training.schedule.PlateauDecay;
import org.repzoo.zoo.core.SettingException;

/**
 * The training loop. Each iteration trains one batch while the next is built; every {@code checkpointEvery}
 * iterations and at each epoch's end the run is checkpointed (weights, updater, counters, ND4J's generator, data
 * order, weight average, plateau position) with the log beside it, atomically. A run resumed from any checkpoint ends
 * with exactly the weights of a run never stopped: everything random derives from the seed or is in the checkpoint.
 * The last partial batch of an epoch is dropped (BatchNorm statistics and the step count stay those of full batches).
 */
public final class Trainer {

    /** What the loop tells its caller (progress bar, console). */
    public interface Progress {
        /** An epoch starts (or resumes at {@code batchInEpoch}). */
        void epochStarted(int epoch, int epochs, int batchInEpoch, int batchesPerEpoch);

        void iterationDone(long iteration, double loss, double learningRate, double imagesPerSecond);

        void epochDone(EpochRecord record);

        /** A message worth a line (resumed from, checkpoint written, averaged weights used). */
        void note(String line);
    }

    /**
     * How a run ended.
     *
     * @param graph      the final model: the weight average where the recipe keeps one, else the last weights
     * @param log        the whole log
     * @param validation the final model's validation figures
     */
    public record Outcome(ComputationGraph graph, TrainingLog log, Validation.Result validation) {
    }

    private final Recipe recipe;
    private final BatchLoader train;
    private final BatchLoader validation;
    private final TrainingOptions options;
    private final Progress progress;
    private final String architecture;
    private final String data;

    /**
     * @param recipe       the recipe of a fresh run (a resumed run takes its checkpoint's)
     * @param architecture how the log names the model
     * @param data         how the log names the data
     */
    public Trainer(Recipe recipe, BatchLoader train, BatchLoader validation, TrainingOptions options,
                   Progress progress, String architecture, String data) {
        this.recipe = recipe;
        this.train = train;
        this.validation = validation;
        this.options = options;
        this.progress = progress;
        this.architecture = architecture;
        this.data = data;
    }

    /** Mutable position of the run. */
    private static final class Run {
        Recipe recipe;
        ComputationGraph graph;
        Optional<WeightAverage> average;
        Optional<PlateauDecay> plateau;
        TrainingLog log;
        int epoch;
        int batchInEpoch;
        long iteration;
        int[] order;
    }

    /** Trains {@code initialised} (freshly initialised, recipe not yet applied), or resumes its run. */
    public Outcome run(ComputationGraph initialised) throws IOException {
        Files.createDirectories(options.runDirectory());
        Run run = options.resume() ? resume(initialised) : start(initialised);
        if (TrainingGraph.kernelL2(run.recipe) && options.replicas() > 1) {
            throw new IllegalArgumentException("the equivalent-kernel L2 (decayScope EQUIVALENT_KERNEL) runs as a "
                    + "listener of one graph and cannot be used with " + options.replicas() + " replicas");
        }
        TrainingGraph.equip(run.graph, run.recipe);
        int batch = run.recipe.batchSize();
        if (batch % options.replicas() != 0) {
            throw new IllegalArgumentException("batch size " + batch + " does not split evenly over "
                    + options.replicas() + " replicas");
        }
        try (Threads.BlasScope blas = Threads.oneBlasThread();
             BatchFitter fitter = BatchFitter.of(run.graph, options.replicas(), options.seed())) {
            return train(run, fitter);
        }
    }

    private Outcome train(Run run, BatchFitter fitter) throws IOException {
        int batch = run.recipe.batchSize();
        int batchesPerEpoch = batchesPerEpoch(run.recipe);
        ISchedule schedule = LearningRates.of(run.recipe, batchesPerEpoch);
        while (run.epoch < run.recipe.epochs()) {
            long epochStart = System.nanoTime();
            if (run.batchInEpoch == 0) {
                run.order = DataOrder.permutation(run.log.seed(), run.epoch, train.size());
            }
            progress.epochStarted(run.epoch, run.recipe.epochs(), run.batchInEpoch, batchesPerEpoch);
            double lossSum = 0;
            int lossCount = 0;
            long trainNanos = 0;
            int trained = 0;
            CompletableFuture<BatchLoader.Batch> next = train.submit(rows(run.order, run.batchInEpoch, batch),
                    run.epoch);
            for (int b = run.batchInEpoch; b < batchesPerEpoch; b++) {
                long start = System.nanoTime();
                BatchLoader.Batch current = BatchLoader.await(next);
                if (b + 1 < batchesPerEpoch) {
                    next = train.submit(rows(run.order, b + 1, batch), run.epoch);
                }
                fitter.fit(OutputBatches.of(run.graph, current.features(), current.labels()));
                run.average.ifPresent(average -> average.update(run.graph));
                run.iteration++;
                run.batchInEpoch = b + 1;
                long took = System.nanoTime() - start;
                trainNanos += took;
                trained += batch;
                double loss = run.graph.score();
                lossSum += loss;
                lossCount++;
                double lr = learningRate(run, schedule);
                if (run.iteration % options.logEvery() == 0) {
                    run.log.iterations().add(new IterationRecord(run.iteration, run.epoch, loss, lr));
                }
                progress.iterationDone(run.iteration, loss, lr, batch / (took / 1e9));
                if (options.checkpointEvery() > 0 && run.iteration % options.checkpointEvery() == 0
                        && run.batchInEpoch < batchesPerEpoch) {
                    checkpoint(run, batchesPerEpoch);
                }
            }
            fitter.close(); // replicas end with the epoch: validation and the next learning rate see one graph
            run.graph.incrementEpochCount(); // step schedules count epochs
            Validation.Result result = Validation.run(run.graph, validation, batch);
            double lr = learningRate(run, schedule);
            if (run.plateau.isPresent()) {
                lr = run.plateau.get().onValidation(result.top1());
                run.graph.setLearningRate(lr);
            }
            EpochRecord record = new EpochRecord(run.epoch + 1, run.iteration,
                    lossCount == 0 ? Double.NaN : lossSum / lossCount, lr, result.loss(), result.top1(),
                    result.top5(), trained / (trainNanos / 1e9), (System.nanoTime() - epochStart) / 1e9);
            run.log.epochs().add(record);
            run.epoch++;
            run.batchInEpoch = 0;
            checkpoint(run, batchesPerEpoch);
            progress.epochDone(record);
        }
        return finish(run);
    }

    private Outcome finish(Run run) throws IOException {
        if (run.average.isPresent() && run.average.get().updates() > 0) {
            run.average.get().copyTo(run.graph);
            progress.note("final model: the " + run.average.get().kind().name().toLowerCase() + " average of the weights"
                    + " over " + run.average.get().updates() + " iterations");
            return new Outcome(run.graph, run.log, Validation.run(run.graph, validation, run.recipe.batchSize()));
        }
        EpochRecord last = run.log.epochs().isEmpty() ? null : run.log.epochs().get(run.log.epochs().size() - 1);
        Validation.Result result = last != null
                ? new Validation.Result(last.validationLoss(), last.top1(), last.top5(), validation.size())
                : Validation.run(run.graph, validation, run.recipe.batchSize());
        return new Outcome(run.graph, run.log, result);
    }

    private Run start(ComputationGraph initialised) throws IOException {
        RunFolderException.requireNew(options.checkpoint());
        Run run = new Run();
        run.recipe = recipe;
        run.graph = TrainingGraph.start(initialised, recipe, batchesPerEpoch(recipe), options.seed());
        run.average = recipe.averaging().create();
        run.plateau = plateau(recipe);
        run.log = TrainingLog.start(architecture, RecipeFiles.toJson(recipe), data, options.seed());
        return run;
    }

    private Run resume(ComputationGraph initialised) throws IOException {
        RunFolderException.requireResumable(options.checkpoint());
        TrainingCheckpoints.Resumed resumed = TrainingCheckpoints.load(options.checkpoint(),
                initialised.getConfiguration());
        TrainingState state = resumed.state();
        if (state.seed() != options.seed()) {
            throw new SettingException("seed", options.seed() + " is not the seed " + state.seed() + " that "
                    + options.checkpoint() + " was written with; resume with the same seed");
        }
        if (state.dataOrder().length != train.size()) {
            throw new IllegalArgumentException(options.checkpoint() + " was written for a training set of "
                    + state.dataOrder().length + " images; this one has " + train.size());
        }
        Run run = new Run();
        run.recipe = state.recipe();
        run.graph = resumed.graph();
        run.average = resumed.average();
        run.plateau = plateau(run.recipe);
        if (state.plateau() != null) {
            run.plateau.orElseThrow().restore(state.plateau());
        }
        run.epoch = state.epoch();
        run.batchInEpoch = state.batchInEpoch();
        run.iteration = state.iteration();
        run.order = state.dataOrder();
        run.log = Files.isRegularFile(options.log()) ? TrainingLog.read(options.log()).upTo(run.iteration)
                : TrainingLog.start(architecture, RecipeFiles.toJson(run.recipe), data, options.seed());
        progress.note("resumed " + options.checkpoint() + " at epoch " + (run.epoch + 1) + ", batch "
                + run.batchInEpoch + " (iteration " + run.iteration + ")");
        return run;
    }

    private void checkpoint(Run run, int batchesPerEpoch) throws IOException {
        TrainingState state = TrainingCheckpoints.capture(run.recipe, run.epoch, run.batchInEpoch, run.iteration,
                run.log.seed(), run.order == null ? new int[0] : run.order, run.average, run.plateau);
        TrainingCheckpoints.save(options.checkpoint(), run.graph, state, run.average);
        run.log.write(options.log());
        TrainingCurve.write(run.log, batchesPerEpoch, options.curve());
    }

    private int batchesPerEpoch(Recipe r) {
        int batches = train.size() / r.batchSize();
        if (batches == 0) {
            throw new IllegalArgumentException("the training set has " + train.size()
                    + " images, fewer than one batch of " + r.batchSize());
        }
        return batches;
    }

    private static Optional<PlateauDecay> plateau(Recipe r) {
        return r.schedule().kind() == LrSchedule.Kind.PLATEAU
                ? Optional.of(new PlateauDecay(r.effectiveLearningRate(), r.schedule().gamma(), r.schedule().patience(), 0))
                : Optional.empty();
    }

    private static double learningRate(Run run, ISchedule schedule) {
        return run.plateau.map(PlateauDecay::learningRate)
                .orElseGet(() -> schedule.valueAt((int) run.iteration, run.graph.getEpochCount()));
    }

    private static int[] rows(int[] order, int batchIndex, int batch) {
        return Arrays.copyOfRange(order, batchIndex * batch, (batchIndex + 1) * batch);
    }
}
