package org.repzoo.zoo.core;

import java.io.IOException;
import java.nio.file.Path;

/** A model file that cannot be read or written; the message names the file and what is wrong with it. */
public final class ModelFileException extends IOException {
    public ModelFileException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public ModelFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
