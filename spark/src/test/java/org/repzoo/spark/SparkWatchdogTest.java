package org.repzoo.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.repzoo.training.checkpoint.TrainingCheckpoints;
import org.repzoo.training.recipe.Recipe;

/**
 * {@link SparkWatchdog}: a job that stops moving is ended with a message naming what it waited for, and its stuck task
 * is interrupted; a slow job whose running tasks report progress is left alone; a training run whose epoch stalls
 * ends with a {@link SparkStallException} and the previous epoch's checkpoint as it was. Executors report progress
 * every 500 ms here (Spark's heartbeat; 10 s by default).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SparkWatchdogTest {

    private static final CountDownLatch INTERRUPTED = new CountDownLatch(1);
    private static JavaSparkContext spark;

    @BeforeAll
    static void start() {
        spark = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("repzoo-watchdog-test")
                .set("spark.ui.enabled", "false").set("spark.executor.heartbeatInterval", "500ms"));
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void aJobThatStopsMovingIsEndedWithWhatItWaitedFor() throws InterruptedException {
        SparkStallException stall;
        long started = System.nanoTime();
        try (SparkWatchdog watchdog = SparkWatchdog.start(spark, "the test's work", "items", Duration.ofSeconds(2))) {
            SparkException cancelled = assertThrows(SparkException.class, () -> spark.parallelize(List.of(0, 1, 2, 3), 4)
                    .foreach(item -> {
                        if (item == 1) {
                            blockUntilInterrupted();
                        }
                    }));
            stall = watchdog.failure(cancelled).orElseThrow();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        assertTrue(seconds >= 2 && seconds < 30, "ended after " + seconds + " s");
        assertTrue(stall.getMessage().matches("the test's work made no progress for [23] s \\(the stall timeout\\): "
                + "stage \\d+ waited for 1 of its 4 tasks; task \\d+ \\(partition 1, attempt 0\\) on executor driver "
                + "\\(.+\\) ran [23] s, its last progress never \\(no items done\\)"), stall.getMessage());
        assertTrue(INTERRUPTED.await(20, TimeUnit.SECONDS), "the stuck task was not interrupted");
    }

    @Test
    void runningTasksThatReportProgressKeepASlowJobAlive() {
        try (SparkWatchdog watchdog = SparkWatchdog.start(spark, "slow work", "items", Duration.ofSeconds(2))) {
            LongAccumulator progress = watchdog.progress();
            // Each task works 4 s (twice the stall timeout) and counts an item every 250 ms.
            long items = spark.parallelize(List.of(0, 1), 2).map(task -> {
                for (int i = 0; i < 16; i++) {
                    Thread.sleep(250);
                    progress.add(1);
                }
                return task;
            }).count();
            assertEquals(2, items);
            assertEquals(32, progress.value());
            assertTrue(watchdog.stalled().isEmpty(), watchdog.stalled().orElse(""));
        }
    }

    @ParameterizedTest
    @EnumSource(SparkTraining.Mode.class)
    void aStalledEpochEndsTrainingAndLeavesTheLastCheckpoint(SparkTraining.Mode mode, @TempDir Path temp)
            throws IOException {
        TinyTraining problem = new TinyTraining();
        Recipe recipe = TinyTraining.recipe(3);
        ComputationGraph graph = TinyTraining.net(recipe);
        List<MultiDataSet> batches = problem.batches(graph);
        Path checkpoint = temp.resolve("run.ckpt");
        SparkTraining.EpochEnd save = SparkTraining.checkpointEachEpoch(checkpoint, recipe, TinyTraining.SEED,
                TinyTraining.BATCHES);
        List<INDArray> savedWeights = new ArrayList<>();
        SparkTraining.EpochData data = epoch -> SparkTraining.Epoch.inMemory(epoch == 0 ? spark.parallelize(batches, 2)
                : spark.parallelize(batches, 2).mapPartitionsWithIndex((partition, items) -> {
                    if (partition == 1) {
                        blockUntilInterrupted();
                    }
                    return items;
                }, true), batches.size());
        SparkStallException stall = assertThrows(SparkStallException.class, () -> SparkTraining.fit(spark, graph, data,
                SparkTraining.Settings.of(mode, TinyTraining.BATCH, TinyTraining.SEED).withSharing(40127, 1e-3)
                        .withStallTimeout(Duration.ofSeconds(3)), 0, 3, (trained, epoch, loss) -> {
                    save.epochDone(trained, epoch, loss);
                    savedWeights.add(trained.params().dup());
                }));
        String modeName = mode == SparkTraining.Mode.SHARED ? "gradient sharing" : "parameter averaging";
        assertTrue(stall.getMessage().startsWith("Spark training (" + modeName + "), epoch 2 of 3 made no progress "
                + "for "), stall.getMessage());
        assertTrue(stall.getMessage().contains("(partition 1, attempt 0)"), stall.getMessage());
        TrainingCheckpoints.Resumed resumed = TrainingCheckpoints.load(checkpoint, graph.getConfiguration());
        assertEquals(1, resumed.state().epoch());
        assertEquals(1, savedWeights.size());
        assertEquals(savedWeights.get(0), resumed.graph().params());
    }

    /** Waits until the task is cancelled (the watchdog interrupts it), then fails it. */
    private static void blockUntilInterrupted() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            INTERRUPTED.countDown();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
