package org.repzoo.training.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A run folder that does not fit how the run was asked to start: a new run where a checkpoint already is, or a
 * resumed one where there is none. Nothing has been written.
 */
public final class RunFolderException extends IOException {

    /** What the folder holds that the start did not expect. */
    public enum Problem { ALREADY_HOLDS_A_RUN, NOTHING_TO_RESUME }

    private final Path checkpoint;
    private final Problem problem;

    private RunFolderException(Path checkpoint, Problem problem) {
        super(checkpoint + (problem == Problem.ALREADY_HOLDS_A_RUN
                ? " already holds a run: resume it, or train in another folder" : ": no checkpoint to resume"));
        this.checkpoint = checkpoint;
        this.problem = problem;
    }

    /** Refuses to start a new run over the checkpoint of another. */
    public static void requireNew(Path checkpoint) throws RunFolderException {
        if (Files.exists(checkpoint)) {
            throw new RunFolderException(checkpoint, Problem.ALREADY_HOLDS_A_RUN);
        }
    }

    /** Refuses to resume where there is no checkpoint. */
    public static void requireResumable(Path checkpoint) throws RunFolderException {
        if (!Files.isRegularFile(checkpoint)) {
            throw new RunFolderException(checkpoint, Problem.NOTHING_TO_RESUME);
        }
    }

    public Path checkpoint() {
        return checkpoint;
    }

    public Problem problem() {
        return problem;
    }
}
