package org.repzoo.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import org.repzoo.training.engine.EpochRecord;
import org.repzoo.training.engine.Trainer;

/** A progress bar per epoch (batches, with loss, learning rate and images per second), a line per epoch. */
final class TrainingBars implements Trainer.Progress, AutoCloseable {
    private final PrintWriter out;
    private ProgressBar bar;
    private String task;

    TrainingBars(PrintWriter out) {
        this.out = out;
    }

    @Override
    public void epochStarted(int epoch, int epochs, int batchInEpoch, int batchesPerEpoch) {
        task = "epoch " + (epoch + 1) + "/" + epochs;
        bar = ProgressBars.items(task, "batch", batchesPerEpoch);
        bar.stepTo(batchInEpoch);
    }

    @Override
    public void iterationDone(long iteration, double loss, double learningRate, double imagesPerSecond) {
        bar.step();
        bar.setExtraMessage(String.format(" loss %.3f lr %.3g %.0f img/s", loss, learningRate, imagesPerSecond));
    }

    @Override
    public void epochDone(EpochRecord r) {
        close();
        out.printf("%s: loss %.4f, validation loss %.4f, top-1 %.2f%%, top-5 %.2f%%, lr %.3g, %.0f img/s, %.0f s%n",
                task, r.trainLoss(), r.validationLoss(), 100 * r.top1(), 100 * r.top5(), r.learningRate(),
                r.imagesPerSecond(), r.seconds());
        out.flush();
    }

    @Override
    public void note(String line) {
        out.println(line);
        out.flush();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
