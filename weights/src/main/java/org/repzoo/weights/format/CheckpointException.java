package org.repzoo.weights.format;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint file that cannot be read as one: the message names the file and what is wrong with it. */
public final class CheckpointException extends IOException {

    private final transient Path file;

    public CheckpointException(Path file, String reason) {
        super(file.getFileName() + ": " + reason);
        this.file = file;
    }

    public CheckpointException(Path file, String reason, Throwable cause) {
        super(file.getFileName() + ": " + reason, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
