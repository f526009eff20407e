package org.repzoo.spark;

import java.io.IOException;

/**
 * A Spark job that {@link SparkWatchdog} ended because it made no progress for the stall timeout; the message names
 * what it waited for. An {@link IOException}: like a read that timed out, the work did not fail, the cluster stopped
 * answering.
 */
public final class SparkStallException extends IOException {

    private static final long serialVersionUID = 1L;

    SparkStallException(String message, Throwable cause) {
        super(message, cause);
    }
}
