package org.repzoo.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A Spark job that {@link SparkWatchdog} ended because it made no progress for the stall timeout; the message names
 * what it waited for (and, for a training run, whether the last epoch's checkpoint is there to resume from). An
 * {@link IOException}: like a read that timed out, the work did not fail, the cluster stopped answering.
 */
public final class SparkStallException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path checkpoint;

    SparkStallException(String message, Throwable cause) {
        this(message, cause, null);
    }

    private SparkStallException(String message, Throwable cause, Path checkpoint) {
        super(message, cause);
        this.checkpoint = checkpoint;
    }

    /** This stall of a training run whose last finished epoch left {@code checkpoint} (null: none finished). */
    SparkStallException ofRun(Path lastCheckpoint) {
        return new SparkStallException(getMessage() + "; " + (lastCheckpoint != null
                ? "the last epoch's checkpoint " + lastCheckpoint + " is intact"
                : "no epoch finished, so there is no checkpoint"), this, lastCheckpoint);
    }

    /** The checkpoint a training run can be resumed from, if an epoch finished before the stall. */
    public Optional<Path> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }
}
