package org.repzoo.spark;

import java.io.IOException;
import java.io.Serializable;
import java.util.Comparator;
import java.util.List;
import org.apache.spark.SparkEnv;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.evaluation.image.ImageFileException;

/**
 * A training or validation sample an executor could not read (a file missing on that machine, an image that does not
 * decode), as the executor reports it to the driver.
 *
 * @param position where the sample comes in the epoch's order (the first bad one in that order is reported)
 * @param path     the file, as the driver listed it
 * @param problem  what is wrong with it
 * @param executor the executor that tried, and its host
 */
record BadSample(long position, String path, String problem, String executor) implements Serializable {

    /** What {@code failure} says about sample {@code path} at {@code position}, on this executor. */
    static BadSample of(long position, String path, IOException failure) {
        String message = String.valueOf(failure.getMessage());
        String prefix = failure instanceof ImageFileException image ? image.file() + ": " : path + ": ";
        String problem = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        SparkEnv env = SparkEnv.get();
        String executor = env == null ? "the driver" : "executor " + env.executorId() + " ("
                + env.blockManager().blockManagerId().host() + ")";
        return new BadSample(position, path, problem, executor);
    }

    /**
     * Stops the run with the first of {@code found} in data order, as one JVM stops at the first bad image: the path,
     * the problem and where it was read. Training has no option to skip bad inputs (a skipped image would change the
     * minibatches, and with them the run a seed stands for), so this is not {@code skippable}.
     */
    static void stopAtFirst(List<BadSample> found) throws BadInputException {
        if (found.isEmpty()) {
            return;
        }
        BadSample first = found.stream().min(Comparator.comparingLong(BadSample::position)).orElseThrow();
        throw new BadInputException(new BadInput(first.path(), first.problem() + " (read on " + first.executor()
                + ")"));
    }
}
