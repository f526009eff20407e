package org.repzoo.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.IntConsumer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.CrashReportingUtil;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Sgd;
import org.repzoo.compat.Threads;
import org.repzoo.compat.TrainingHelpers;
import org.repzoo.evaluation.model.ImageModel;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.SettingException;

/**
 * Times a graph on random input at a fixed batch: warm-up iterations, then timed ones, each timed on its own, and
 * their median, minimum and maximum. Inference is {@code output} of the main head only (auxiliary classifiers are
 * skipped, as PyTorch's eval mode skips them) with BatchNorm in inference mode; a training step is {@code fit} on
 * random one-hot labels for every output (forward, backward, plain SGD update), as PyTorch's
 * {@code loss.backward(); optimizer.step()}. Achieved GFLOP/s count {@code 2 * MACs} per image for inference and three
 * times that for a training step (forward, input gradients, weight gradients).
 */
public final class ModelBenchmark {

    /** What one iteration runs. */
    public enum Mode {
        INFER, TRAIN;

        public static Mode parse(String text) {
            return switch (text == null ? "" : text.trim().toLowerCase(Locale.ROOT)) {
                case "infer" -> INFER;
                case "train" -> TRAIN;
                default -> throw new SettingException("mode", "'" + text + "': expected infer or train");
            };
        }

        /** Floating-point operations per multiply-add of the forward pass. */
        double flopsPerMac() {
            return this == INFER ? 2 : 6;
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * @param maxSeconds stop timing once this much time went into timed iterations (at least {@link #MIN_TIMED} of
     *                   them run); 0 for no limit
     */
    public record Settings(int batch, Mode mode, int warmup, int iterations, double maxSeconds) {
        public Settings {
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be at least 1, got " + batch);
            }
            if (warmup < 0 || iterations < 1) {
                throw new IllegalArgumentException("need warm-up >= 0 and iterations >= 1, got " + warmup + " and "
                        + iterations);
            }
            if (maxSeconds < 0) {
                throw new IllegalArgumentException("max seconds must be >= 0, got " + maxSeconds);
            }
        }
    }

    /**
     * One batch size's figures.
     *
     * @param residentPeakBytes       the process's resident high-water mark during warm-up and timing (weights included)
     * @param residentBeforeBytes     resident memory before the first iteration (model, weights and input in place)
     * @param residentGrowthBytes     how far the resident high-water mark rose during the timed iterations, after the
     *                                warm-up: 0 when memory is reused from batch to batch (a fixed peak)
     * @param heapAllocatedPerBatch   Java heap bytes the benchmark thread allocated per timed iteration (ND4J's
     *                                off-heap buffers are not counted: see the resident figures)
     */
    public record Result(int batch, Mode mode, int timedIterations, TimingStats secondsPerBatch,
                         double imagesPerSecond, double imagesPerSecondMin, double imagesPerSecondMax, double gflops,
                         long heapPeakBytes, long residentPeakBytes, boolean residentPeakIsSectionPeak,
                         long residentBeforeBytes, long residentGrowthBytes, long weightBytes,
                         long heapAllocatedPerBatch) {
    }

    /** Fewest timed iterations kept when {@code maxSeconds} cuts timing short. */
    public static final int MIN_TIMED = 3;

    private static final double LEARNING_RATE = 1e-3;

    private ModelBenchmark() {
    }

    /**
     * @param multiplyAdds forward multiply-adds per image (as {@code repzoo summary} counts them)
     * @param progress     told 1 after every iteration, warm-up included
     */
    public static Result run(ComputationGraph graph, InputShape input, long multiplyAdds, Settings settings,
                             IntConsumer progress) {
        // DL4J would write a memory crash dump into the working directory on an out-of-memory error: report it instead
        CrashReportingUtil.crashDumpsEnabled(false);
        try {
            return measure(graph, input, multiplyAdds, settings, progress);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(String.format(Locale.ROOT, "batch %d, input %s, mode %s", settings.batch(), input,
                    settings.mode()), e);
        }
    }

    /**
     * Times inference of any {@link ImageModel} (an ONNX Runtime session among them) the same way: random input,
     * warm-up, timed iterations. Only {@link Mode#INFER}: training runs on DL4J.
     *
     * @param multiplyAdds forward multiply-adds per image (-1: unknown, and no GFLOP/s)
     * @param weightBytes  the model's weights in bytes, for the report (-1: unknown)
     */
    public static Result run(ImageModel model, InputShape input, long multiplyAdds, long weightBytes,
                             Settings settings, IntConsumer progress) {
        if (settings.mode() != Mode.INFER) {
            throw new IllegalArgumentException("training steps run on DL4J: this model only infers");
        }
        int batch = settings.batch();
        float[] pixels = new float[Math.toIntExact(batch * input.size())];
        Random random = new Random(0);
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat() - 0.5f;
        }
        try {
            return measure(() -> model.logits(pixels, batch, input.channels(), input.height(), input.width()),
                    multiplyAdds, weightBytes, settings, progress);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(String.format(Locale.ROOT, "batch %d, input %s", batch, input), e);
        }
    }

    /** An out-of-memory condition (Java heap or ND4J's off-heap limit) at {@code what}, as one typed error. */
    public static BenchmarkMemoryException outOfMemory(String what, OutOfMemoryError e) {
        return new BenchmarkMemoryException(what, e);
    }

    /** Median images per second of {@code model} at the settings' batch: the timing alone, nothing reported. */
    public static double imagesPerSecond(ImageModel model, InputShape input, Settings settings) {
        return run(model, input, -1, -1, settings, done -> { }).imagesPerSecond();
    }

    private static Result measure(ComputationGraph graph, InputShape input, long multiplyAdds, Settings settings,
                                  IntConsumer progress) {
        INDArray x = Nd4j.rand(DataType.FLOAT, settings.batch(), input.channels(), input.height(), input.width())
                .subi(0.5);
        long weightBytes = graph.params().length() * graph.params().dataType().width();
        if (settings.mode() == Mode.INFER) {
            return measure(inference(graph, x), multiplyAdds, weightBytes, settings, progress);
        }
        try (Threads.BlasScope blas = Threads.oneBlasThread()) { // as the training loop runs
            return measure(trainingStep(graph, x), multiplyAdds, weightBytes, settings, progress);
        }
    }

    private static Result measure(Runnable step, long multiplyAdds, long weightBytes, Settings settings,
                                  IntConsumer progress) {
        int batch = settings.batch();
        MemoryPeaks peaks = new MemoryPeaks();
        long residentBefore = MemoryPeaks.residentBytes();
        peaks.reset();
        for (int i = 0; i < settings.warmup(); i++) {
            step.run();
            progress.accept(1);
        }
        long peakAfterWarmup = MemoryPeaks.residentPeakBytes();
        double[] seconds = new double[settings.iterations()];
        int timed = 0;
        double spent = 0;
        long allocatedBefore = allocatedBytes();
        while (timed < settings.iterations()) {
            long start = System.nanoTime();
            step.run();
            seconds[timed] = (System.nanoTime() - start) / 1e9;
            spent += seconds[timed++];
            progress.accept(1);
            if (settings.maxSeconds() > 0 && spent >= settings.maxSeconds() && timed >= MIN_TIMED) {
                break;
            }
        }
        long allocated = (allocatedBytes() - allocatedBefore) / timed;
        TimingStats stats = TimingStats.of(java.util.Arrays.copyOf(seconds, timed));
        double rate = batch / stats.median();
        return new Result(batch, settings.mode(), timed, stats, rate, batch / stats.max(), batch / stats.min(),
                multiplyAdds < 0 ? Double.NaN : rate * multiplyAdds * settings.mode().flopsPerMac() / 1e9,
                peaks.heapPeakBytes(),
                MemoryPeaks.residentPeakBytes(), peaks.residentPeakIsSectionPeak(), residentBefore,
                MemoryPeaks.residentPeakBytes() - peakAfterWarmup, weightBytes, allocated);
    }

    private static Runnable inference(ComputationGraph graph, INDArray x) {
        List<String> mainHead = List.of(graph.getConfiguration().getNetworkOutputs().get(0));
        INDArray[] features = {x};
        return () -> graph.output(mainHead, false, features, null);
    }

    /**
     * A training step on fixed random one-hot labels, with plain SGD on every layer (whatever the model had) and the
     * layer helpers of RepZoo's training loop ({@link TrainingHelpers}).
     */
    private static Runnable trainingStep(ComputationGraph graph, INDArray x) {
        TrainingHelpers.install(graph);
        for (Layer layer : graph.getLayers()) {
            if (layer.conf().getLayer() instanceof BaseLayer base) {
                base.setIUpdater(new Sgd(LEARNING_RATE));
                base.setBiasUpdater(null);
            }
        }
        graph.setUpdater(null); // built again from the layers' settings at the first fit
        // One image, as torch_bench.py: an inference pass at the full batch would leave DL4J's inference workspaces
        // (300 MB for ResNet-50 at 16) in the training step's resident memory.
        long classes = graph.output(List.of(graph.getConfiguration().getNetworkOutputs().get(0)), false,
                new INDArray[] {x.get(NDArrayIndex.interval(0, 1))}, null)[0].size(1);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, x.size(0), classes);
        Random random = new Random(42);
        for (long i = 0; i < x.size(0); i++) {
            labels.putScalar(i, random.nextInt((int) classes), 1.0);
        }
        MultiDataSet data = OutputBatches.of(graph, x, labels);
        return () -> graph.fit(data);
    }

    private static long allocatedBytes() {
        if (ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads) {
            return threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        }
        return 0;
    }
}
