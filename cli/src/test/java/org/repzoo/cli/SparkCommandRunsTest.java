package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkContext;
import org.apache.spark.SparkContext$;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.zoo.core.ModelFiles;
import scala.Option;

/**
 * The command line's Spark paths end to end in local[2]: {@code eval --spark} writes the report and predictions of a
 * one-JVM {@code eval}, and {@code train --spark} in either mode stops after an epoch and continues with
 * {@code --resume} to a two-epoch log and a model that loads; parameter averaging, being deterministic, ends with the
 * weights of a run never stopped. Tiny inputs (the evaluation fixture's 6 images; a 12x12 RepVGG of width 0.05 on
 * the committed Fashion-MNIST slice) keep each Spark run to seconds.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SparkCommandRunsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DATA = TrainCommandTest.DATA;

    @TempDir
    Path dir;

    /** The report without what differs between any two runs: its creation time and the timings. */
    private static JsonNode comparable(Path report) throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(report.toFile());
        json.remove("created");
        json.remove("timings");
        return json;
    }

    @Test
    void evalOnSparkWritesTheOneJvmReport() throws IOException {
        Path model = EvalSet.saveNet(0, dir);
        // A folder on disk: in a full build the fixture lies in evaluation's test jar.
        Object[] common = {"eval", model, "--data", EvalSet.imageFolder(dir), "--compare", "single,ten-crop,dense",
                "--resize", "73", "--crop", "64"};
        Path report = dir.resolve("one-jvm.json");
        Path predictions = dir.resolve("one-jvm.csv");
        Cli.Run oneJvm = Cli.run(with(common, "--report", report, "--predictions", predictions));
        assertEquals(0, oneJvm.code(), oneJvm.err());

        Path sparkReport = dir.resolve("spark.json");
        Path sparkPredictions = dir.resolve("spark.csv");
        Cli.Run spark = Cli.run(with(common, "--spark", "local[2]", "--partitions", "4", "--stall-timeout", "120",
                "--report", sparkReport, "--predictions", sparkPredictions));
        assertEquals(0, spark.code(), spark.err());

        JsonNode expected = comparable(report);
        assertEquals(expected, comparable(sparkReport));
        assertEquals(Files.readAllLines(predictions), Files.readAllLines(sparkPredictions));
        assertEquals(1 + 6 * 3, Files.readAllLines(predictions).size(), "a header and 6 images x 3 protocols");
        // Not a vacuous comparison: the tiny net gets some images right and some wrong.
        long top1 = expected.get("counts").get("top1_correct").asLong();
        assertTrue(top1 > 0 && top1 < 6, top1 + " of 6");
        // The printed tables agree too (the speed line differs).
        assertEquals(table(oneJvm.out()), table(spark.out()));
    }

    /**
     * Averaging: a two-epoch run stopped after its first epoch, then {@code --epochs 2 --resume}, ends with a two-epoch
     * log, a model that loads, and the weights and log of a two-epoch run never stopped.
     */
    @Test
    void averagingStoppedAfterAnEpochAndResumedEndsAsARunNeverStopped() throws Exception {
        Path straight = dir.resolve("straight");
        Cli.Run whole = train(straight, "averaging", 2);
        assertEquals(0, whole.code(), whole.err());

        Path stopped = dir.resolve("stopped");
        Cli.Run first = trainStoppedAfterTheFirstEpoch(stopped, "averaging");
        assertEquals(1, epochs(stopped).size(), first.out());
        Cli.Run resumed = train(stopped, "averaging", 2, "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("resumed " + stopped.resolve("checkpoint.zip") + " at epoch 2"),
                resumed.out());

        JsonNode epochs = epochs(stopped);
        assertEquals(2, epochs.size(), epochs.toString());
        assertEquals(epochs(straight), epochs, "the resumed run's log is the straight run's");
        ComputationGraph model = ModelFiles.load(stopped.resolve("model.zip"));
        assertArrayEquals(ModelFiles.load(straight.resolve("model.zip")).params().toDoubleVector(),
                model.params().toDoubleVector());
    }

    /** Gradient sharing (asynchronous, not repeatable): stopped after an epoch and resumed, it finishes the run. */
    @Test
    void sharedStoppedAfterAnEpochAndResumedFinishesTheRun() throws Exception {
        Path run = dir.resolve("shared");
        Cli.Run first = trainStoppedAfterTheFirstEpoch(run, "shared");
        assertEquals(1, epochs(run).size(), first.out());
        Cli.Run resumed = train(run, "shared", 2, "--resume");
        assertEquals(0, resumed.code(), resumed.err());
        assertTrue(resumed.out().contains("shared mode"), resumed.out());
        assertTrue(resumed.out().contains("resumed " + run.resolve("checkpoint.zip") + " at epoch 2"), resumed.out());
        JsonNode epochs = epochs(run);
        assertEquals(List.of(1, 2), List.of(epochs.get(0).get("epoch").asInt(), epochs.get(1).get("epoch").asInt()),
                epochs.toString());
        ComputationGraph model = ModelFiles.load(run.resolve("model.zip"));
        assertTrue(Arrays.stream(model.params().toDoubleVector()).allMatch(Double::isFinite));
        INDArray[] scores = model.output(false, Nd4j.rand(DataType.FLOAT, 1, 1, 12, 12));
        assertArrayEquals(new long[] {1, 10}, scores[0].shape());
    }

    /**
     * {@code train --epochs 2} stopped as by a crash once its first epoch's checkpoint and log are written: from then
     * on every Spark job is cancelled, so the second epoch fails and its checkpoint is never written.
     */
    private static Cli.Run trainStoppedAfterTheFirstEpoch(Path run, String mode) throws Exception {
        AtomicBoolean finished = new AtomicBoolean();
        AtomicInteger cancels = new AtomicInteger();
        Thread stopper = new Thread(() -> {
            while (!finished.get()) {
                if (epochsLogged(run) >= 1) {
                    Option<SparkContext> active = SparkContext$.MODULE$.getActive();
                    if (active.isDefined()) {
                        active.get().cancelAllJobs();
                        cancels.incrementAndGet();
                    }
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "stop-after-first-epoch");
        stopper.setDaemon(true);
        stopper.start();
        Cli.Run stopped;
        try {
            stopped = train(run, mode, 2);
        } finally {
            finished.set(true);
            stopper.join(10_000);
        }
        assertTrue(cancels.get() > 0, "never stopped: " + stopped.out() + stopped.err());
        assertEquals(1, stopped.code(), stopped.out() + stopped.err());
        assertTrue(stopped.err().contains("cancelled"), stopped.err());
        assertTrue(Files.isRegularFile(run.resolve("checkpoint.zip")));
        assertFalse(Files.exists(run.resolve("model.zip")), "a stopped run writes no model");
        return stopped;
    }

    private static int epochsLogged(Path run) {
        try {
            return epochs(run).size();
        } catch (IOException | RuntimeException e) {
            return 0; // not written yet
        }
    }

    private static Cli.Run train(Path run, String mode, int epochs, Object... more) {
        List<Object> args = new ArrayList<>(List.of("train", "repvgg_a0", "--data", DATA, "--input", "1x12x12",
                "--width", "0.05", "--depths", "1,1,1,1", "--batch", "64", "--epochs", epochs, "--checkpoint-dir", run,
                "--spark", "local[2]", "--spark-mode", mode, "--partitions", "2", "--stall-timeout", "120"));
        args.addAll(Arrays.asList(more));
        return Cli.run(args.toArray());
    }

    private static JsonNode epochs(Path run) throws IOException {
        return JSON.readTree(run.resolve("training-log.json").toFile()).get("epochs");
    }

    private static Object[] with(Object[] common, Object... more) {
        List<Object> all = new ArrayList<>(Arrays.asList(common));
        all.addAll(Arrays.asList(more));
        return all.toArray();
    }

    /** The lines of the result table (up to the first blank line). */
    private static List<String> table(String out) {
        List<String> lines = new ArrayList<>();
        for (String line : out.lines().toList()) {
            if (line.isBlank()) {
                break;
            }
            lines.add(line);
        }
        return lines;
    }
}
