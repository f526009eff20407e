package org.repzoo.evaluation.image;

import java.io.IOException;
import java.nio.file.Path;

/** An image file that cannot be decoded; the message names the file and what is wrong with it. */
public final class ImageFileException extends IOException {

    private final transient Path file;

    public ImageFileException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public ImageFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file that could not be decoded. */
    public Path file() {
        return file;
    }
}
