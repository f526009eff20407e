package org.repzoo.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import org.apache.spark.SparkException;

/**
 * Turns a failed Spark job into the error a single-machine run would have raised: Spark wraps an executor's exception
 * in a {@code SparkException} whose message is a whole remote stack trace, where RepZoo promises one line naming the
 * input at fault.
 */
final class SparkFailures {

    private SparkFailures() {
    }

    /**
     * What a failed piece of Spark work throws: a {@link SparkStallException} when {@code watchdog} ended it, else the
     * job's own failure ({@link #unwrap} for Spark's wrapping); an {@link IOException} is thrown, anything else
     * returned for the caller to throw.
     */
    static RuntimeException of(Exception failure, SparkWatchdog watchdog) throws IOException {
        java.util.Optional<SparkStallException> stall = watchdog.failure(failure);
        if (stall.isPresent()) {
            throw stall.get();
        }
        if (failure instanceof SparkException) {
            throw unwrap(failure);
        }
        if (failure instanceof IOException io) {
            throw io;
        }
        return (RuntimeException) failure;
    }

    /** The root {@link IllegalArgumentException} or {@link IOException} of {@code failure}, else one line on it. */
    static RuntimeException unwrap(Exception failure) throws IOException {
        Throwable root = failure;
        Throwable found = null;
        while (root != null) {
            if (root instanceof IllegalArgumentException || root instanceof IOException) {
                found = root;
            }
            if (root instanceof UncheckedIOException unchecked) {
                found = unchecked.getCause();
            }
            root = root.getCause() == root ? null : root.getCause();
        }
        if (found instanceof IOException io) {
            throw io;
        }
        if (found instanceof IllegalArgumentException argument) {
            return argument;
        }
        return new IllegalStateException("the Spark job failed: " + firstLine(failure), failure);
    }

    private static String firstLine(Throwable failure) {
        String message = String.valueOf(failure.getMessage());
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
