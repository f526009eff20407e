package org.repzoo.cli;

import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars on stderr (so stdout stays clean for scripts), with rate and ETA. */
final class ProgressBars {

    private ProgressBars() {
    }

    /** A bar counting megabytes. */
    static ProgressBar megabytes(String task, long totalBytes) {
        return builder(task).setUnit(" MB", 1 << 20).setInitialMax(totalBytes).showSpeed().build();
    }

    /** A bar counting items (images, batches). */
    static ProgressBar items(String task, String unit, long total) {
        return builder(task).setUnit(" " + unit, 1).setInitialMax(total).showSpeed().build();
    }

    private static ProgressBarBuilder builder(String task) {
        return new ProgressBarBuilder().setTaskName(task).setStyle(ProgressBarStyle.ASCII).continuousUpdate()
                .setConsumer(new ConsoleProgressBarConsumer(new PrintStream(System.err, true))).setUpdateIntervalMillis(250);
    }
}
