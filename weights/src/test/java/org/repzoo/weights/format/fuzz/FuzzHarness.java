package org.repzoo.weights.format.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.repzoo.weights.format.Checkpoint;
import org.repzoo.weights.format.CheckpointException;
import org.repzoo.weights.format.StoredTensor;

/**
 * What the checkpoint fuzz tests share: the file an input is written to, and the oracle. A parser passes an input when
 * opening it and reading every tensor either succeeds or ends in a {@link CheckpointException} that is a clean refusal;
 * anything else propagates to Jazzer as a finding, and so does a CheckpointException that merely wraps a bug of ours
 * (a RuntimeException thrown from RepZoo code, which the parsers' catch-alls report as an "internal error" or, where
 * they expect java.util.zip's unchecked exceptions, as a "corrupt zip").
 */
final class FuzzHarness {

    /** Opens a file with the parser under test. */
    @FunctionalInterface
    interface Opener {
        Checkpoint open(Path file) throws IOException;
    }

    /** Any other parser entry point (one that returns no Checkpoint). */
    @FunctionalInterface
    interface Call {
        void run(Path file) throws IOException;
    }

    /** One file per JVM, rewritten for every input; in memory (/dev/shm) where there is one. */
    private static Path scratch;

    private FuzzHarness() {
    }

    /** The input, as the content of this JVM's scratch file. */
    static synchronized Path write(byte[] input) throws IOException {
        if (scratch == null) {
            Path shm = Path.of("/dev/shm");
            scratch = Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempFile(shm, "repzoo-fuzz-", ".bin")
                    : Files.createTempFile("repzoo-fuzz-", ".bin");
            scratch.toFile().deleteOnExit();
        }
        return Files.write(scratch, input);
    }

    /** Opens the file, reads every tensor and closes it: success, or a clean {@link CheckpointException}. */
    static void openReadClose(Path file, Opener opener) throws IOException {
        call(file, path -> {
            try (Checkpoint checkpoint = opener.open(path)) {
                for (StoredTensor tensor : checkpoint.tensors().values()) {
                    tensor.read();
                }
            }
        });
    }

    /** Runs the call: success, or a clean {@link CheckpointException}; any other throwable propagates. */
    static void call(Path file, Call call) throws IOException {
        try {
            call.run(file);
        } catch (CheckpointException e) {
            requireClean(e);
        }
    }

    /**
     * Refuses a checkpoint error that wraps a RuntimeException of RepZoo's own (the parsers' "internal error"
     * wrappers, and catch-alls meant for java.util.zip). Decided by the causes' stack traces, never by the message,
     * which quotes the file: the fuzzer soon learns to write any string the oracle looks for.
     */
    private static void requireClean(CheckpointException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof RuntimeException && !thrownByLibrary(cause)) {
                throw new AssertionError("a " + cause.getClass().getName() + " from RepZoo code, reported as a "
                        + "checkpoint error: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Whether an unchecked exception comes from a library reading a corrupt file (java.util.zip, Jackson), which the
     * parsers rightly turn into checkpoint errors, rather than from RepZoo code: the first frame outside the JDK's
     * general-purpose packages decides. An exception without a stack trace (HotSpot's fast throw) counts as ours.
     */
    private static boolean thrownByLibrary(Throwable e) {
        for (StackTraceElement frame : e.getStackTrace()) {
            String type = frame.getClassName();
            if (type.startsWith("org.repzoo.")) {
                return false;
            }
            boolean general = type.startsWith("java.") && !type.startsWith("java.util.zip.")
                    || type.startsWith("jdk.internal.") || type.startsWith("sun.nio.");
            if (!general) {
                return true;
            }
        }
        return false;
    }
}
