package org.repzoo.training.engine;

import java.nio.file.Path;

/**
 * How a run is carried out (what it learns is the {@link org.repzoo.training.recipe.Recipe}'s).
 *
 * @param seed            data order, augmentation, initial ND4J generator
 * @param workers         input-pipeline threads
 * @param runDirectory    where the checkpoint, the JSON log and the PNG curve go
 * @param checkpointEvery iterations between checkpoints (each epoch's end is always one); 0: epochs only
 * @param resume          continue the run whose checkpoint is in {@code runDirectory}
 * @param logEvery        iterations between entries of the log's loss curve
 * @param replicas        model replicas that share each batch through DL4J's ParallelWrapper (1: none)
 */
public record TrainingOptions(long seed, int workers, Path runDirectory, int checkpointEvery, boolean resume,
                              int logEvery, int replicas) {

    public TrainingOptions {
        if (workers < 1 || checkpointEvery < 0 || logEvery < 1 || replicas < 1) {
            throw new IllegalArgumentException(
                    "workers, logEvery and replicas must be at least 1, checkpointEvery at least 0");
        }
    }

    /** One replica. */
    public TrainingOptions(long seed, int workers, Path runDirectory, int checkpointEvery, boolean resume,
                           int logEvery) {
        this(seed, workers, runDirectory, checkpointEvery, resume, logEvery, 1);
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
