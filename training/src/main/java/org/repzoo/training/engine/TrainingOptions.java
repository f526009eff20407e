package org.repzoo.training.engine;

import java.nio.file.Path;
import org.repzoo.zoo.core.SettingException;

/**
 * How a run is carried out (what it learns is the {@link org.repzoo.training.recipe.Recipe}'s). Start from
 * {@link #in(Path)} and change what differs with the {@code with...} methods.
 *
 * @param seed            data order, augmentation, initial ND4J generator
 * @param workers         input-pipeline threads
 * @param runDirectory    where the checkpoint, the JSON log and the PNG curve go
 * @param checkpointEvery iterations between checkpoints (each epoch's end is always one); 0: epochs only
 * @param start           a new run, or the continuation of the one whose checkpoint is in {@code runDirectory}
 * @param logEvery        iterations between entries of the log's loss curve
 * @param replicas        model replicas that share each batch through DL4J's ParallelWrapper (1: none)
 */
public record TrainingOptions(long seed, int workers, Path runDirectory, int checkpointEvery, Start start,
                              int logEvery, int replicas) {

    /** A new run, or one resumed from the run directory's checkpoint. */
    public enum Start { NEW, RESUME }

    public TrainingOptions {
        if (workers < 1) {
            throw new SettingException("workers", "must be at least 1, got " + workers);
        }
        if (replicas < 1) {
            throw new SettingException("replicas", "must be at least 1, got " + replicas);
        }
        if (checkpointEvery < 0) {
            throw new SettingException("checkpointEvery", "must be at least 0, got " + checkpointEvery);
        }
        if (logEvery < 1) {
            throw new SettingException("logEvery", "must be at least 1, got " + logEvery);
        }
        if (start == null) {
            throw new IllegalArgumentException("start must be NEW or RESUME");
        }
    }

    /** A new run in {@code runDirectory}: seed 42, 2 input workers, checkpoints at epoch ends, a log entry every 10. */
    public static TrainingOptions in(Path runDirectory) {
        return new TrainingOptions(42, 2, runDirectory, 0, Start.NEW, 10, 1);
    }

    public TrainingOptions withSeed(long newSeed) {
        return new TrainingOptions(newSeed, workers, runDirectory, checkpointEvery, start, logEvery, replicas);
    }

    public TrainingOptions withWorkers(int newWorkers) {
        return new TrainingOptions(seed, newWorkers, runDirectory, checkpointEvery, start, logEvery, replicas);
    }

    public TrainingOptions withCheckpointEvery(int iterations) {
        return new TrainingOptions(seed, workers, runDirectory, iterations, start, logEvery, replicas);
    }

    public TrainingOptions withStart(Start newStart) {
        return new TrainingOptions(seed, workers, runDirectory, checkpointEvery, newStart, logEvery, replicas);
    }

    public TrainingOptions withLogEvery(int iterations) {
        return new TrainingOptions(seed, workers, runDirectory, checkpointEvery, start, iterations, replicas);
    }

    public TrainingOptions withReplicas(int newReplicas) {
        return new TrainingOptions(seed, workers, runDirectory, checkpointEvery, start, logEvery, newReplicas);
    }

    public boolean resume() {
        return start == Start.RESUME;
    }

    public Path checkpoint() {
        return runDirectory.resolve("checkpoint.zip");
    }

    public Path log() {
        return runDirectory.resolve("training-log.json");
    }

    public Path curve() {
        return runDirectory.resolve("training-curve.png");
    }
}
