package org.repzoo.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The rule every command that writes a file keeps: an output is never one of the command's inputs. */
final class Outputs {

    private Outputs() {
    }

    /**
     * Refuses {@code output} if it is (or links to) one of {@code inputs}. A path that does not exist yet is no input,
     * so only paths that both exist are compared.
     */
    static void refuseInput(Path output, Path... inputs) throws IOException {
        if (output == null || !Files.exists(output)) {
            return;
        }
        for (Path input : inputs) {
            if (input != null && Files.exists(input) && Files.isSameFile(output, input)) {
                throw new IllegalArgumentException(output + " is an input of this command: RepZoo never overwrites "
                        + "an input");
            }
        }
    }
}
