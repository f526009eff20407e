package org.repzoo.cli;

import java.time.Duration;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What {@code eval --spark} and {@code train --spark} check alike. */
final class SparkOptions {

    private SparkOptions() {
    }

    /** {@code --stall-timeout SECONDS} as a duration; zero or less is a usage error. */
    static Duration stallTimeout(CommandSpec spec, long seconds) {
        if (seconds < 1) {
            throw new ParameterException(spec.commandLine(), "--stall-timeout must be at least 1 (seconds), got "
                    + seconds);
        }
        return Duration.ofSeconds(seconds);
    }
}
