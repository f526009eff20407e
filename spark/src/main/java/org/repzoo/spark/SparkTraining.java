package org.repzoo.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.AdaptiveThresholdAlgorithm;
import org.deeplearning4j.optimize.solvers.accumulation.encoding.threshold.FixedThresholdAlgorithm;
import org.deeplearning4j.spark.api.RDDTrainingApproach;
import org.deeplearning4j.spark.api.Repartitioner;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.api.TrainingMaster;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.parameterserver.distributed.conf.VoidConfiguration;
import org.repzoo.training.checkpoint.DataOrder;
import org.repzoo.training.checkpoint.TrainingCheckpoints;
import org.repzoo.training.checkpoint.TrainingState;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.zoo.core.SettingException;

/**
 * Trains a graph that already carries a training recipe ({@code RecipeApplier.apply}) on Spark, through DL4J's own
 * integration: {@link SparkComputationGraph} with a {@link ParameterAveragingTrainingMaster} (synchronous: workers fit
 * {@code averagingFrequency} minibatches from the same weights, then weights and updater state are averaged) or a
 * {@link SharedTrainingMaster} (Strom's threshold-encoded gradient sharing over Aeron, asynchronous). One
 * {@link #fit} call per epoch, each epoch's minibatches from {@link EpochData}; after each epoch {@link EpochEnd}
 * hears of it ({@link #checkpointEachEpoch} writes the training module's crash-safe checkpoint, which
 * {@code TrainingCheckpoints.load} resumes).
 */
public final class SparkTraining {

    /** How workers combine what they learn. */
    public enum Mode {
        /** DL4J's ParameterAveragingTrainingMaster: deterministic, one synchronisation per averaging period. */
        AVERAGING,
        /** DL4J's SharedTrainingMaster: gradient sharing, asynchronous, far less traffic for large nets. */
        SHARED;

        public static Mode parse(String text) {
            for (Mode mode : values()) {
                if (mode.name().equalsIgnoreCase(text)) {
                    return mode;
                }
            }
            throw new SettingException("sparkMode", "must be averaging or shared, got '" + text + "'");
        }
    }

    /**
     * How the run is distributed.
     *
     * @param mode               averaging or shared
     * @param batchPerWorker     examples per minibatch on each worker (the minibatches of {@link EpochData} hold this
     *                           many, so DL4J neither splits nor merges them)
     * @param averagingFrequency minibatches each worker fits between two averages (averaging mode)
     * @param seed               seeds DL4J's splitting of the data among workers
     * @param sharedPort         UDP port of the gradient-sharing transport (shared mode; open between all nodes)
     * @param sharingThreshold   shared mode: 0 for DL4J's default encoding (an adaptive threshold that sends about
     *                           0.01%..1% of the update's elements per step, right for large nets), or a fixed
     *                           threshold: each element whose accumulated update reaches it is sent as +-threshold,
     *                           the rest waits in the residual (small nets, whose few elements the adaptive rule
     *                           starves)
     * @param stallTimeout       how long an epoch's jobs may make no progress before they are ended with a {@link
     *                           SparkStallException} ({@link SparkWatchdog}); it must exceed one minibatch (shared)
     *                           or one averaging period (averaging)
     */
    public record Settings(Mode mode, int batchPerWorker, int averagingFrequency, long seed, int sharedPort,
                           double sharingThreshold, Duration stallTimeout) {

        public Settings {
            if (!(sharingThreshold >= 0)) {
                throw new IllegalArgumentException("the sharing threshold must not be negative, got "
                        + sharingThreshold);
            }
            if (batchPerWorker < 1 || averagingFrequency < 1) {
                throw new IllegalArgumentException("batch per worker and averaging frequency must be at least 1, got "
                        + batchPerWorker + ", " + averagingFrequency);
            }
            if (stallTimeout.isNegative() || stallTimeout.isZero()) {
                throw new IllegalArgumentException("the stall timeout must be positive, got "
                        + stallTimeout.toSeconds() + " s");
            }
        }

        public static Settings of(Mode mode, int batchPerWorker, long seed) {
            return new Settings(mode, batchPerWorker, 1, seed, 40123, 0, SparkWatchdog.DEFAULT_STALL_TIMEOUT);
        }

        public Settings withAveragingFrequency(int frequency) {
            return new Settings(mode, batchPerWorker, frequency, seed, sharedPort, sharingThreshold, stallTimeout);
        }

        public Settings withSharing(int port, double threshold) {
            return new Settings(mode, batchPerWorker, averagingFrequency, seed, port, threshold, stallTimeout);
        }

        public Settings withStallTimeout(Duration timeout) {
            return new Settings(mode, batchPerWorker, averagingFrequency, seed, sharedPort, sharingThreshold, timeout);
        }
    }

    /**
     * One epoch's data: references to its minibatches in Spark partitions, and how an executor turns a partition of
     * references into minibatches. The references are what the driver ships: a list of samples for each minibatch
     * ({@link SampleBlock}, built into a minibatch by {@link MinibatchLoader}), or in-memory minibatches themselves
     * ({@link #inMemory}).
     *
     * @param references  the epoch's minibatch references, partitioned as they are to be trained
     * @param slices      the same partitions as lists on the driver ({@link #onDriver}), or null where the references
     *                    exist only as an RDD: parameter averaging then ships each averaging period only its own
     *                    references ({@link AveragingByReference})
     * @param count       how many there are
     * @param minibatches the executor-side function from a partition of references to its minibatches, in order
     * @param check       run on the driver after each averaging period and after the epoch: throws what executors
     *                    reported (a sample they could not read), which ends the run before the epoch's checkpoint
     */
    public record Epoch<R>(JavaRDD<R> references, List<List<R>> slices, long count,
                           FlatMapFunction<Iterator<R>, MultiDataSet> minibatches, Check check) {

        /**
         * References the driver holds, in {@code partitions} Spark partitions cut as {@code parallelize} cuts them
         * (contiguous, sizes differing by at most one).
         */
        public static <R> Epoch<R> onDriver(JavaSparkContext spark, List<R> references, int partitions,
                                            FlatMapFunction<Iterator<R>, MultiDataSet> minibatches, Check check) {
            List<List<R>> slices = new ArrayList<>(partitions);
            long size = references.size();
            for (int i = 0; i < partitions; i++) {
                slices.add(references.subList((int) (i * size / partitions), (int) ((i + 1) * size / partitions)));
            }
            return new Epoch<>(spark.parallelize(references, partitions), slices, size, minibatches, check);
        }

        /** In-memory minibatches: each reference is its minibatch (DL4J's own split into averaging periods). */
        public static Epoch<MultiDataSet> inMemory(JavaRDD<MultiDataSet> minibatches, long count) {
            return new Epoch<>(minibatches, null, count, batches -> batches, () -> { });
        }
    }

    /** What the driver checks as the epoch goes (see {@link Epoch#check}). */
    @FunctionalInterface
    public interface Check {
        void verify() throws IOException;
    }

    /** The data of each epoch. */
    @FunctionalInterface
    public interface EpochData {
        Epoch<?> epoch(int epoch);

        /**
         * A fixed list of in-memory minibatches, visited each epoch in the training module's order for that epoch
         * ({@link DataOrder}: from the seed and the epoch alone, so a resumed run sees the same order).
         */
        static EpochData shuffled(JavaSparkContext spark, List<MultiDataSet> batches, long seed, int partitions) {
            return epoch -> {
                int[] order = DataOrder.permutation(seed, epoch, batches.size());
                List<MultiDataSet> ordered = new ArrayList<>(batches.size());
                for (int index : order) {
                    ordered.add(batches.get(index));
                }
                return Epoch.inMemory(spark.parallelize(ordered, partitions), ordered.size());
            };
        }
    }

    /** Told when an epoch is done: the driver's graph (all workers' learning combined) and the epoch, from 0. */
    @FunctionalInterface
    public interface EpochEnd {
        void epochDone(ComputationGraph graph, int epoch, double loss) throws IOException;
    }

    private SparkTraining() {
    }

    /**
     * The same on a Spark context of its own, started on {@code master} ({@link SparkContexts#start}) and stopped at
     * the end, for callers that should not compile against Spark (the command line, whose cluster jar leaves Spark
     * out): each epoch's minibatches come as a list, split into {@code partitions} Spark partitions. {@code note}
     * hears of the start-up.
     */
    public static ComputationGraph fit(String master, ComputationGraph graph,
                                       IntFunction<List<MultiDataSet>> batchesOfEpoch,
                                       int partitions, Settings settings, int firstEpoch, int lastEpoch,
                                       EpochEnd listener, Consumer<String> note) throws IOException {
        long start = System.nanoTime();
        try (JavaSparkContext spark = SparkContexts.start("repzoo train", master)) {
            note.accept(String.format(Locale.ROOT, "Spark %s started in %.1f s (parallelism %d), %s mode",
                    spark.master(), (System.nanoTime() - start) / 1e9, spark.defaultParallelism(),
                    settings.mode().name().toLowerCase(Locale.ROOT)));
            int slices = partitions > 0 ? partitions : spark.defaultParallelism();
            return fit(spark, graph, epoch -> {
                List<MultiDataSet> batches = batchesOfEpoch.apply(epoch);
                return Epoch.inMemory(spark.parallelize(batches, slices), batches.size());
            }, settings, firstEpoch, lastEpoch, listener);
        }
    }

    /**
     * Trains epochs {@code firstEpoch .. lastEpoch - 1} ({@code firstEpoch > 0} continues a resumed run) and returns
     * the trained graph (a new object: DL4J's training master replaces the driver's network as it averages). An epoch
     * that makes no progress for the settings' stall timeout ends the run with a {@link SparkStallException}; the
     * epochs before it have been handed to {@code listener} (their checkpoints stay as written).
     */
    public static ComputationGraph fit(JavaSparkContext spark, ComputationGraph graph, EpochData data,
                                       Settings settings, int firstEpoch, int lastEpoch, EpochEnd listener)
            throws IOException {
        if (firstEpoch < 0 || firstEpoch > lastEpoch) {
            throw new IllegalArgumentException("epochs " + firstEpoch + " to " + lastEpoch + " are not a range");
        }
        ComputationGraph current = graph;
        String mode = settings.mode() == Mode.SHARED ? "gradient sharing" : "parameter averaging";
        try (SparkWatchdog watchdog = SparkWatchdog.start(spark, "Spark training (" + mode + ")", "minibatches",
                settings.stallTimeout())) {
            // The parameter-averaging master draws each epoch's split of the data among workers from a generator it
            // seeds once; a master per epoch, seeded from the run's seed and the epoch, makes the split of an epoch
            // the same whether the run got there straight or resumed from a checkpoint. Gradient sharing is
            // asynchronous (not repeatable anyway) and keeps one master, whose transport is set up once.
            TrainingMaster<?, ?> shared = settings.mode() == Mode.SHARED
                    ? master(spark, settings, settings.seed(), watchdog.progress()) : null;
            try {
                for (int epoch = firstEpoch; epoch < lastEpoch; epoch++) {
                    watchdog.phase(String.format(Locale.ROOT, "Spark training (%s), epoch %d of %d", mode, epoch + 1,
                            lastEpoch));
                    TrainingMaster<?, ?> master = shared != null ? shared
                            : master(spark, settings, epochSeed(settings.seed(), epoch), watchdog.progress());
                    SparkComputationGraph network = new SparkComputationGraph(spark, current, master);
                    // Epoch-based schedules read the counter; the master advances the iteration counter itself.
                    network.getNetwork().getConfiguration().setEpochCount(epoch);
                    train(network, master, data.epoch(epoch), watchdog.progress());
                    current = network.getNetwork();
                    current.getConfiguration().setEpochCount(epoch + 1);
                    if (shared == null) {
                        master.deleteTempFiles(spark);
                    }
                    listener.epochDone(current, epoch, network.getScore());
                }
            } catch (Exception e) { // Scala and DL4J's Spark code throw SparkException undeclared
                throw SparkFailures.of(e, watchdog);
            } finally {
                if (shared != null) {
                    shared.deleteTempFiles(spark);
                }
            }
        }
        return current;
    }

    /**
     * One epoch on {@code master}: averaging splits the references into periods before executors build minibatches
     * ({@link AveragingByReference}, which also counts each minibatch into {@code progress}: a period's tasks report
     * nothing else until they end); gradient sharing trains the epoch's minibatches in one pass.
     */
    private static <R> void train(SparkComputationGraph network, TrainingMaster<?, ?> master, Epoch<R> epoch,
                                  LongAccumulator progress) throws IOException {
        if (master instanceof AveragingByReference averaging) {
            FlatMapFunction<Iterator<R>, MultiDataSet> build = epoch.minibatches();
            averaging.fit(network, epoch, references -> SharedTrainingGate.counted(build.call(references), progress),
                    epoch.check()::verify);
        } else {
            network.fitMultiDataSet(epoch.references().mapPartitions(epoch.minibatches()));
        }
        epoch.check().verify();
    }

    /** A seed for one epoch's training master, from the run's seed and the epoch alone. */
    static long epochSeed(long seed, int epoch) {
        return new SplittableRandom(seed + 0x9E3779B97F4A7C15L * (epoch + 1L)).nextLong();
    }

    /**
     * The training master for {@code settings}; gradient sharing counts each minibatch into {@code progress} (see
     * {@link SparkWatchdog}).
     */
    static TrainingMaster<?, ?> master(JavaSparkContext spark, Settings settings, long seed, LongAccumulator progress) {
        return master(spark, settings, seed, new SharedTrainingGate(progress));
    }

    /** The same with {@code sharedPartitions} as gradient sharing's last step before DL4J's training function. */
    static TrainingMaster<?, ?> master(JavaSparkContext spark, Settings settings, long seed,
                                       Repartitioner sharedPartitions) {
        return switch (settings.mode()) {
            case AVERAGING -> new AveragingByReference(new ParameterAveragingTrainingMaster.Builder(
                    settings.batchPerWorker())
                    .batchSizePerWorker(settings.batchPerWorker())
                    .averagingFrequency(settings.averagingFrequency())
                    .workerPrefetchNumBatches(0)
                    .saveUpdater(true)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    // Keep Spark's partitions: DL4J's repartitioning draws from a generator of its own.
                    .repartionData(Repartition.Never)
                    .rngSeed(seed)
                    .collectTrainingStats(false));
            case SHARED -> new SharingByReference(new SharedTrainingMaster.Builder(voidConfiguration(spark, settings),
                    settings.batchPerWorker())
                    .batchSizePerWorker(settings.batchPerWorker())
                    .thresholdAlgorithm(settings.sharingThreshold() > 0
                            ? new FixedThresholdAlgorithm(settings.sharingThreshold()) : new AdaptiveThresholdAlgorithm())
                    // One training thread per executor JVM, fed by all its tasks. More than one in a local run
                    // (one JVM) hung here: ParallelWrapper waited for trainers that never started.
                    .workersPerNode(1)
                    .workerPrefetchNumBatches(0)
                    .rddTrainingApproach(RDDTrainingApproach.Direct)
                    // Keeps the partitions as given and lets one task per JVM into DL4J's training wrapper at a time,
                    // which closes DL4J's hang (SharedTrainingGate); this master ignores repartitionData.
                    .repartitioner(sharedPartitions)
                    .rngSeed(seed)
                    .collectTrainingStats(false)
                    .build(), settings.batchPerWorker());
        };
    }

    /**
     * Aeron's media driver refuses to start when its publication-unblock timeout (default 15 s) does not exceed the
     * client liveness timeout, which ND4J's transport sets to 30 s. Set here for this JVM (the driver, and the executors
     * of a local run); cluster executors get it from {@code spark.executor.extraJavaOptions} (docs/DISTRIBUTED.md).
     */
    static final String AERON_UNBLOCK_TIMEOUT = "aeron.publication.unblock.timeout";

    /**
     * The media driver keeps its buffers in a directory of 8 MB under /dev/shm (memory, on Linux) and, unless told,
     * leaves it there when the JVM ends: every gradient-shared run left one. Set with the timeout above.
     */
    static final String AERON_DELETE_ON_SHUTDOWN = "aeron.dir.delete.on.shutdown";

    private static VoidConfiguration voidConfiguration(JavaSparkContext spark, Settings settings) {
        if (System.getProperty(AERON_UNBLOCK_TIMEOUT) == null) {
            System.setProperty(AERON_UNBLOCK_TIMEOUT, "60s");
        }
        if (System.getProperty(AERON_DELETE_ON_SHUTDOWN) == null) {
            System.setProperty(AERON_DELETE_ON_SHUTDOWN, "true");
        }
        VoidConfiguration.VoidConfigurationBuilder conf = VoidConfiguration.builder().unicastPort(settings.sharedPort());
        if (spark.master().startsWith("local")) {
            // In local mode the driver is the only node; on a cluster Spark's own addressing finds it. The mask gives
            // the executor's transport the same loopback address, which it otherwise falls back to with a warning.
            conf.controllerAddress("127.0.0.1").networkMask("127.0.0.0/8");
        }
        return conf.build();
    }

    /**
     * Writes a training checkpoint ({@link TrainingCheckpoints}) to {@code file} after every epoch: the weights, the
     * updater state and where the run stands, so that {@code TrainingCheckpoints.load(file)} and {@link #fit} from
     * {@code state.epoch()} continue it.
     */
    public static EpochEnd checkpointEachEpoch(Path file, Recipe recipe, long seed, int batchesPerEpoch) {
        return (graph, epoch, loss) -> {
            TrainingState state = TrainingCheckpoints.capture(recipe, epoch + 1, 0, graph.getIterationCount(), seed,
                    DataOrder.permutation(seed, epoch + 1, batchesPerEpoch), Optional.empty(), Optional.empty());
            TrainingCheckpoints.save(file, graph, state, Optional.empty());
        };
    }

    /** One line on an epoch, for progress output. */
    public static String describe(int epoch, double loss) {
        return String.format(Locale.ROOT, "epoch %d: mean minibatch loss %.5f", epoch + 1, loss);
    }
}
