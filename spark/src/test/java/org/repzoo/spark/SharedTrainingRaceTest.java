package org.repzoo.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.Repartitioner;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * The interleaving that hung CI, forced: in one executor JVM (local[2]) task 0 becomes DL4J's gradient-sharing master,
 * trains its three minibatches, and just as it finds no more iterators, task 1 arrives. DL4J's own path then leaves
 * task 1 waiting in {@code BlockingObserver.waitTillDone} for good (until {@link SparkWatchdog} ends the job, saying
 * which task it waited for); with {@link SharedTrainingGate} task 1 waits for the permit instead, becomes the next
 * master and trains its minibatches, and the job ends.
 *
 * <p>The partitions' iterators set the timing. Task 1's first {@code hasNext} (DL4J's empty-partition check, just
 * before it attaches its iterator) waits until task 0, the master, has trained its minibatches and asks its iterator
 * once more, on its own task thread, whether there is more: the check that ends the master's loop. That call lets
 * task 1 go, waits for it to arrive (up to 5 s) and gives it 300 ms to attach and call {@code run} before answering
 * false. (Under the gate task 1 may get the permit first; it then finds no master to wait for and trains first.)
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SharedTrainingRaceTest {

    private static final CountDownLatch[] LATCHES = new CountDownLatch[3];
    private static final AtomicInteger TAKEN = new AtomicInteger();
    private static JavaSparkContext spark;
    private static TinyTraining problem;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkContexts.start("repzoo-race-test", "local[2]");
        problem = new TinyTraining();
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @BeforeEach
    void reset() {
        LATCHES[0] = new CountDownLatch(1); // task 0, the master, found its iterator drained
        LATCHES[1] = new CountDownLatch(1); // task 1 is about to attach
        LATCHES[2] = new CountDownLatch(1); // task 0 asked its iterator for the first time (it is in DL4J's hands)
        TAKEN.set(0);
    }

    @Test
    void dl4jAloneLeavesTheLateTaskWaitingForeverUntilTheWatchdogEndsIt() {
        SparkStallException stall;
        try (SparkWatchdog watchdog = SparkWatchdog.start(spark, "DL4J's own gradient sharing", "minibatches",
                Duration.ofSeconds(8))) {
            SparkException hang = assertThrows(SparkException.class, () -> train(new Choreography(null)),
                    "the job should hang as CI did; if it ends, DL4J has fixed the race and SharedTrainingGate can go");
            stall = watchdog.failure(hang).orElseThrow();
        }
        assertEquals(3, TAKEN.get(), "task 0's minibatches were trained, task 1's never");
        assertTrue(stall.getMessage().matches("DL4J's own gradient sharing made no progress for \\d+ s \\(the stall "
                + "timeout\\): stage \\d+ waited for 1 of its 2 tasks; task \\d+ \\(partition 1, attempt 0\\) on "
                + "executor driver \\(.+\\) ran \\d+ s, its last progress never \\(no minibatches done\\)"),
                stall.getMessage());
        // Cancelling interrupts the waiting task, which then ends.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (threadWaitsIn("BlockingObserver", "waitTillDone") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertFalse(threadWaitsIn("BlockingObserver", "waitTillDone"), "the cancelled task still waits");
    }

    @Test
    void theGateLetsTheLateTaskTrainAfterTheMaster() {
        train(new Choreography(new SharedTrainingGate(null)));
        assertEquals(6, TAKEN.get(), "both tasks' minibatches were trained");
        assertFalse(threadWaitsIn("BlockingObserver", "waitTillDone"));
    }

    /**
     * One epoch of gradient sharing on six minibatches in two partitions, {@code last} the step before DL4J's training
     * function (after DL4J has cached and counted the data, so the choreography runs in the training stage).
     */
    private static void train(Repartitioner last) {
        ComputationGraph graph = TinyTraining.net(TinyTraining.recipe(1));
        List<MultiDataSet> batches = problem.batches(graph).subList(0, 6);
        SparkTraining.Settings settings = SparkTraining.Settings.of(SparkTraining.Mode.SHARED, TinyTraining.BATCH,
                TinyTraining.SEED).withSharing(40125, 1e-3);
        TrainingMaster<?, ?> master = SparkTraining.master(spark, settings, TinyTraining.SEED, last);
        try {
            new SparkComputationGraph(spark, graph, master).fitMultiDataSet(spark.parallelize(batches, 2));
        } finally {
            master.deleteTempFiles(spark);
        }
    }

    private static boolean threadWaitsIn(String className, String method) {
        return Thread.getAllStackTraces().values().stream().anyMatch(stack -> Arrays.stream(stack).anyMatch(
                frame -> frame.getClassName().endsWith(className) && frame.getMethodName().equals(method)));
    }

    /** Wraps each partition's iterator into a {@link Choreographed} one, then hands the data to {@code then}. */
    private record Choreography(Repartitioner then) implements Repartitioner {
        @Override
        public <T> JavaRDD<T> repartition(JavaRDD<T> rdd, int minObjectsPerPartition, int numExecutors) {
            JavaRDD<T> timed = rdd.mapPartitionsWithIndex((index, items) -> new Choreographed<>(index, items), true);
            return then == null ? timed : then.repartition(timed, minObjectsPerPartition, numExecutors);
        }
    }

    private static final class Choreographed<T> implements Iterator<T> {

        private final int partition;
        private final Iterator<T> items;
        private final Thread task = Thread.currentThread();
        private boolean first = true;
        private boolean held;

        Choreographed(int partition, Iterator<T> items) {
            this.partition = partition;
            this.items = items;
        }

        @Override
        public boolean hasNext() {
            if (partition == 0 && first) {
                first = false;
                LATCHES[2].countDown();
            }
            if (partition == 1 && first) {
                first = false;
                // With the gate, task 1 may get in first while task 0 waits for the permit: then there is no master
                // to wait for, and task 1 goes on as the master itself.
                if (await(LATCHES[2], 5)) {
                    await(LATCHES[0], 60);
                }
                LATCHES[1].countDown();
            }
            boolean more = items.hasNext();
            if (!more && partition == 0 && Thread.currentThread() == task && !held) {
                held = true;
                LATCHES[0].countDown();
                if (await(LATCHES[1], 5)) {
                    sleep(300);
                }
            }
            return more;
        }

        @Override
        public T next() {
            T item = items.next();
            TAKEN.incrementAndGet();
            return item;
        }

        private static boolean await(CountDownLatch latch, int seconds) {
            try {
                return latch.await(seconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
