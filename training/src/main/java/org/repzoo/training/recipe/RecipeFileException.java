package org.repzoo.training.recipe;

import java.io.IOException;
import java.nio.file.Path;

/** A recipe file that cannot be used; the message names the file and what is wrong with it. */
public final class RecipeFileException extends IOException {

    public RecipeFileException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public RecipeFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
    }
}
