package org.repzoo.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.evaluation.engine.Evaluation;
import org.repzoo.evaluation.engine.EvaluationOptions;
import org.repzoo.evaluation.engine.EvaluationResult;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.engine.ProtocolResult;
import org.repzoo.evaluation.engine.Timings;
import org.repzoo.evaluation.metrics.Accuracy;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.zoo.core.AtomicFiles;

/**
 * An evaluation ({@link Evaluation.Setup}: models, dataset, selection, protocols, options) run as a Spark job: the
 * selected images are split into contiguous partitions, each sent to its task as a block of paths and labels (or IDX
 * image numbers: {@link SampleBlock}), each task runs the single-machine engine on its partition
 * ({@link EvaluationTask}; every protocol, multi-crop and dense included, decoding and cropping on the executor), and
 * the driver adds the per-partition counts into one {@link EvaluationResult}. {@link
 * org.repzoo.evaluation.engine.Report} then writes exactly the report a single-machine run writes: counts are sums
 * over images, so the top-1/top-5 and per-class figures are identical; only the timings differ.
 *
 * <p>Spark's own scheduling does the distribution: a failed or killed task is retried and only its successful attempt
 * counts, so a retry changes nothing. The models are broadcast as zip bytes and loaded once per executor task slot.
 * DL4J's {@code SparkComputationGraph.evaluate} is not used here: it scores one fixed-size tensor per example, while
 * the protocols combine many views per image, some through the fully-convolutional form of the net.
 */
public final class SparkEvaluation {

    /**
     * Where the driver's setup came from, for the executors.
     *
     * @param modelFiles   the model files (zips or ONNX), one per member of the setup, in its order
     * @param partitions   Spark partitions (tasks); 0: twice the default parallelism
     * @param stallTimeout how long the job may finish no image before it is ended with a {@link
     *                     SparkStallException} ({@link SparkWatchdog})
     * @param engine       how executors open the model files (the engine, its threads, batch-norm folding)
     */
    public record Inputs(List<Path> modelFiles, int partitions, Duration stallTimeout,
                         InferenceModels.Options engine) {

        public Inputs {
            modelFiles = List.copyOf(modelFiles);
            if (partitions < 0) {
                throw new IllegalArgumentException("the number of partitions must not be negative, got "
                        + partitions);
            }
            if (stallTimeout.isNegative() || stallTimeout.isZero()) {
                throw new IllegalArgumentException("the stall timeout must be positive, got "
                        + stallTimeout.toSeconds() + " s");
            }
        }

        /** DL4J (for zips) with the default stall timeout, {@link SparkWatchdog#DEFAULT_STALL_TIMEOUT}. */
        public Inputs(List<Path> modelFiles, int partitions) {
            this(modelFiles, partitions, SparkWatchdog.DEFAULT_STALL_TIMEOUT, InferenceModels.Options
                    .defaults());
        }
    }

    private SparkEvaluation() {
    }

    /**
     * Starts Spark on {@code master} ({@link SparkContexts#start}), runs {@code setup} there and stops it;
     * {@code note} hears of the start-up (master, seconds, parallelism).
     */
    public static EvaluationResult run(String master, Evaluation.Setup setup, Inputs inputs,
                                       Consumer<String> note, Evaluation.Progress progress)
            throws IOException {
        long start = System.nanoTime();
        try (JavaSparkContext spark = SparkContexts.start("repzoo eval", master)) {
            note.accept(String.format(Locale.ROOT, "Spark %s started in %.1f s (parallelism %d)",
                    spark.master(), (System.nanoTime() - start) / 1e9, spark.defaultParallelism()));
            return run(spark, setup, inputs, progress);
        }
    }

    /** Runs {@code setup} on {@code spark}; {@code progress} hears of each partition as it completes. */
    public static EvaluationResult run(JavaSparkContext spark, Evaluation.Setup setup, Inputs inputs,
                                       Evaluation.Progress progress) throws IOException {
        if (inputs.modelFiles().size() != setup.members().size()) {
            throw new IllegalArgumentException(inputs.modelFiles().size() + " model files for "
                    + setup.members().size() + " models");
        }
        boolean stop = setup.options().badInputs() == EvaluationOptions.BadInputs.STOP;
        List<BadInput> listing = setup.dataset().problems();
        if (stop && !listing.isEmpty()) {
            throw BadInputException.skippable(listing.get(0));
        }
        List<Integer> selected = setup.selection().apply(IntStream.range(0, setup.dataset().samples().size())
                .boxed().toList());
        int partitions = Math.max(1, Math.min(selected.size(), inputs.partitions() > 0 ? inputs.partitions()
                : 2 * spark.defaultParallelism()));
        List<ShippedModel> models = new ArrayList<>();
        for (int m = 0; m < setup.members().size(); m++) {
            Member member = setup.members().get(m);
            Path file = inputs.modelFiles().get(m);
            models.add(new ShippedModel(file.getFileName().toString(), spark.broadcast(Files.readAllBytes(file)),
                    ShippedPreset.of(member.preset()), inputs.engine().engine(), inputs.engine().threads(),
                    inputs.engine().foldBatchNorm(), inputs.engine().oneSize()));
        }
        long start = System.nanoTime();
        List<PartitionResult> parts;
        try (SparkWatchdog watchdog = SparkWatchdog.start(spark, "Spark evaluation", "images",
                inputs.stallTimeout())) {
            ShippedImages images = ShippedImages.of(setup.dataset());
            EvaluationTask task = new EvaluationTask(images, models, setup.protocols(), setup.options(),
                    setup.predictions() != null, watchdog.progress());
            parts = selected.isEmpty() ? List.of() : collect(spark, blocks(setup, images, selected, partitions),
                    task, progress, watchdog);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (ShippedModel model : models) {
            model.zip().destroy();
        }
        EvaluationResult result = merge(setup, listing, parts, seconds);
        if (stop && result.badInputCount() > 0) {
            throw BadInputException.skippable(result.badInputs().get(0));
        }
        if (setup.predictions() != null) {
            writePredictions(setup.predictions(), parts);
        }
        return result;
    }

    /** The selected images in {@code partitions} contiguous blocks, in dataset order. */
    static List<SampleBlock> blocks(Evaluation.Setup setup, ShippedImages images, List<Integer> selected,
                                    int partitions) {
        List<SampleBlock> blocks = new ArrayList<>(partitions);
        for (int p = 0; p < partitions; p++) {
            int from = (int) ((long) p * selected.size() / partitions);
            int to = (int) ((long) (p + 1) * selected.size() / partitions);
            int[] indices = selected.subList(from, to).stream().mapToInt(Integer::intValue).toArray();
            blocks.add(images.block(setup.dataset(), 0, p, indices));
        }
        return blocks;
    }

    private static List<PartitionResult> collect(JavaSparkContext spark, List<SampleBlock> blocks,
                                                 EvaluationTask task, Evaluation.Progress progress,
                                                 SparkWatchdog watchdog) throws IOException {
        long[] sizes = blocks.stream().mapToLong(SampleBlock::size).toArray();
        PartitionProgress listener = new PartitionProgress(watchdog.group(), sizes, LongStream.of(sizes).sum(),
                progress);
        spark.sc().addSparkListener(listener);
        try {
            // One block per partition, so partition order is dataset order.
            List<PartitionResult> parts = new ArrayList<>(spark.parallelize(blocks, blocks.size())
                    .mapPartitionsWithIndex(task, true).collect());
            parts.sort(Comparator.comparingInt(PartitionResult::partition));
            // Spark's listener bus is asynchronous: the job can return before the last task-end events arrive.
            listener.finish();
            return parts;
        } catch (Exception e) { // Scala throws SparkException without declaring it
            throw SparkFailures.of(e, watchdog);
        } finally {
            spark.sc().removeSparkListener(listener);
        }
    }

    /** The partitions' counts added up, in partition (= dataset) order. */
    static EvaluationResult merge(Evaluation.Setup setup, List<BadInput> listing, List<PartitionResult> parts,
                                  double seconds) {
        int classes = setup.dataset().classNames().size();
        List<Accuracy> accuracies = new ArrayList<>();
        for (int p = 0; p < setup.protocols().size(); p++) {
            accuracies.add(new Accuracy(classes));
        }
        List<BadInput> bad = new ArrayList<>(listing);
        List<String> nan = new ArrayList<>();
        long images = 0;
        long viewsRun = 0;
        long badCount = listing.size();
        long nanCount = 0;
        long upscaled = 0;
        double model = 0;
        double waiting = 0;
        double batching = 0;
        double prepare = 0;
        for (PartitionResult part : parts) {
            for (int p = 0; p < accuracies.size(); p++) {
                accuracies.get(p).add(part.accuracies().get(p));
            }
            images += part.images();
            viewsRun += part.viewsRun();
            bad.addAll(part.bad());
            badCount += part.badInputCount();
            nan.addAll(part.nanImages());
            nanCount += part.nanImageCount();
            upscaled += part.upscaled();
            model += part.modelSeconds();
            waiting += part.waitSeconds();
            batching += part.batchingSeconds();
            prepare += part.prepareSeconds();
        }
        List<ProtocolResult> results = new ArrayList<>();
        for (int p = 0; p < accuracies.size(); p++) {
            Protocol protocol = setup.protocols().get(p);
            results.add(new ProtocolResult(protocol, accuracies.get(p),
                    images * protocol.viewsPerImage() * setup.members().size()));
        }
        return new EvaluationResult(results, images, viewsRun, first(bad), badCount, first(nan), nanCount, upscaled,
                new Timings(seconds, model, waiting, batching, prepare));
    }

    private static <T> List<T> first(List<T> items) {
        return List.copyOf(items.subList(0, Math.min(items.size(), Evaluation.LISTED)));
    }

    /** The single-machine CSV (same header, same line order), written whole or not at all. */
    private static void writePredictions(Path file, List<PartitionResult> parts) throws IOException {
        AtomicFiles.write(file, temp -> {
            try (var out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                out.write("path,label,protocol,top1,top2,top3,top4,top5\n");
                for (PartitionResult part : parts) {
                    for (String line : part.predictionLines()) {
                        out.write(line);
                        out.write('\n');
                    }
                }
            }
        });
    }

    /** Counts a partition's images as done when its task succeeds (a killed or failed attempt counts nothing). */
    private static final class PartitionProgress extends SparkListener {

        private final String group;
        private final long[] sizes;
        private final long total;
        private final Evaluation.Progress progress;
        private final Set<Integer> stages = ConcurrentHashMap.newKeySet();
        private final Set<Long> counted = ConcurrentHashMap.newKeySet();
        private final AtomicLong done = new AtomicLong();
        private volatile boolean finished;

        PartitionProgress(String group, long[] sizes, long total, Evaluation.Progress progress) {
            this.group = group;
            this.sizes = sizes;
            this.total = total;
            this.progress = progress;
        }

        @Override
        public void onJobStart(SparkListenerJobStart jobStart) {
            if (group.equals(jobStart.properties().getProperty("spark.jobGroup.id"))) {
                scala.collection.Iterator<Object> ids = jobStart.stageIds().iterator();
                while (ids.hasNext()) {
                    stages.add((Integer) ids.next());
                }
            }
        }

        @Override
        public synchronized void onTaskEnd(SparkListenerTaskEnd taskEnd) {
            int index = taskEnd.taskInfo().index();
            if (!finished && stages.contains(taskEnd.stageId()) && taskEnd.taskInfo().successful()
                    && index < sizes.length && counted.add((long) index)) {
                progress.imagesDone(done.addAndGet(sizes[index]), total);
            }
        }

        /** The job returned every partition: all images are done, whatever task-end events are still on the way. */
        synchronized void finish() {
            finished = true;
            if (done.get() < total) {
                progress.imagesDone(total, total);
            }
        }
    }
}
