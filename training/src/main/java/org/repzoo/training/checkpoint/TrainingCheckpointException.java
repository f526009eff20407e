package org.repzoo.training.checkpoint;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint that cannot be resumed from; the message names the file and what is wrong with it. */
public final class TrainingCheckpointException extends IOException {

    public TrainingCheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public TrainingCheckpointException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
