package org.repzoo.spark;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * What a Spark training epoch cost, measured on the driver from Spark's own task metrics: the images each executor
 * read and the task time it spent (images per second per task slot), the bytes tasks sent back (DL4J's parameter
 * averages, validation figures), the sample lists shipped (their serialized size), and the model's size, which each
 * broadcast of DL4J's averaging master and each validation broadcast carries. One line per epoch for the run's
 * progress output.
 */
final class SparkTraffic extends SparkListener implements AutoCloseable {

    private final JavaSparkContext spark;
    private final long imagesId;
    private final long modelBytes;
    private final Map<String, long[]> executors = new TreeMap<>();
    private final AtomicLong resultBytes = new AtomicLong();
    private final AtomicLong tasks = new AtomicLong();
    private final Set<Integer> trainingStages = new HashSet<>();
    private long epochStart = System.nanoTime();

    private SparkTraffic(JavaSparkContext spark, ComputationGraph graph, LongAccumulator images) {
        this.spark = spark;
        this.imagesId = images.id();
        long updater = graph.getUpdater() == null || graph.getUpdater().getStateViewArray() == null ? 0
                : graph.getUpdater().getStateViewArray().length();
        this.modelBytes = (graph.params().length() + updater) * graph.params().dataType().width();
    }

    /** Follows the tasks of {@code spark} until closed; {@code images} is what executors count images into. */
    static SparkTraffic start(JavaSparkContext spark, ComputationGraph graph, LongAccumulator images) {
        SparkTraffic traffic = new SparkTraffic(spark, graph, images);
        spark.sc().addSparkListener(traffic);
        return traffic;
    }

    @Override
    public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
        if (end.taskMetrics() == null) {
            return;
        }
        tasks.incrementAndGet();
        resultBytes.addAndGet(end.taskMetrics().resultSize());
        long images = 0;
        scala.collection.Iterator<AccumulableInfo> infos = end.taskInfo().accumulables().iterator();
        while (infos.hasNext()) {
            AccumulableInfo info = infos.next();
            if (info.id() == imagesId && info.update().isDefined() && info.update().get() instanceof Long count) {
                images += count;
            }
        }
        if (images > 0) {
            trainingStages.add(end.stageId());
            long[] figures = executors.computeIfAbsent(end.taskInfo().executorId(), id -> new long[2]);
            figures[0] += images;
            figures[1] += end.taskMetrics().executorRunTime();
        }
    }

    /**
     * The epoch's line, and a fresh count for the next: {@code sampleListBytes} is what the driver shipped as
     * references, {@code driverSeconds} the driver's own time after training (validation, checkpoint, log).
     */
    synchronized Optional<String> epochDone(int epoch, long sampleListBytes, double driverSeconds) {
        double wall = (System.nanoTime() - epochStart) / 1e9;
        long images = 0;
        StringBuilder rates = new StringBuilder();
        for (Map.Entry<String, long[]> executor : executors.entrySet()) {
            long[] figures = executor.getValue();
            images += figures[0];
            rates.append(rates.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%s: %.0f",
                    executor.getKey(), figures[0] / Math.max(1e-3, figures[1] / 1000.0)));
        }
        String line = String.format(Locale.ROOT, "epoch %d on Spark: %,d images read on %d executors, images/s per "
                        + "task slot {%s}; %.1f s wall, of which %.1f s on the driver after training (validation, "
                        + "checkpoint, log); shipped %s of sample lists (%.1f B per image) and the model (%s with "
                        + "the updater state) to %d training stages (averaging: one broadcast each) and the "
                        + "validation; tasks sent back %s in %d tasks", epoch + 1, images, executors.size(), rates,
                wall, driverSeconds, bytes(sampleListBytes), images == 0 ? 0.0 : (double) sampleListBytes / images,
                bytes(modelBytes), trainingStages.size(), bytes(resultBytes.get()), tasks.get());
        executors.clear();
        trainingStages.clear();
        resultBytes.set(0);
        tasks.set(0);
        epochStart = System.nanoTime();
        return Optional.of(line);
    }

    /** The size of {@code items} as Java serialization (Spark's task serializer) writes them. */
    static long serializedSize(List<? extends Serializable> items) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(new ArrayList<>(items));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.size();
    }

    private static String bytes(long count) {
        if (count < 10_000) {
            return count + " B";
        }
        if (count < 10_000_000) {
            return String.format(Locale.ROOT, "%.1f kB", count / 1e3);
        }
        return String.format(Locale.ROOT, "%.1f MB", count / 1e6);
    }

    @Override
    public void close() {
        spark.sc().removeSparkListener(this);
    }
}
