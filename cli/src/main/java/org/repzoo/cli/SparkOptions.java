package org.repzoo.cli;

import java.time.Duration;
import org.repzoo.spark.SparkContexts;
import org.repzoo.zoo.core.SettingException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What {@code eval --spark} and {@code train --spark} check alike. */
final class SparkOptions {

    private SparkOptions() {
    }

    /**
     * Refuses a {@code --spark} value that is no master URL: most likely a file that {@code --spark} took as its
     * value because it came first.
     */
    static void checkMaster(CommandSpec spec, String master) {
        try {
            SparkContexts.checkMaster(master);
        } catch (SettingException e) {
            throw new ParameterException(spec.commandLine(), "'" + master + "' is not a Spark master (local[N], "
                    + "spark://host:port, yarn, k8s://..., mesos://...); to give --spark no master, write it after "
                    + "MODEL.zip");
        }
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
