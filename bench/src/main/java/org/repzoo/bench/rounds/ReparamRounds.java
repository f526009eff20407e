package org.repzoo.bench.rounds;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.bench.TimingStats;
import org.repzoo.reparam.Reparameterizer;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;

/**
 * The figures of docs/REPARAM.md, in three sections run in this order, or only those named as arguments:
 * <ul>
 *   <li>{@code gap}: for every RepVGG variant the deploy-vs-train logit gap (float32 and double, 224x224);</li>
 *   <li>{@code conversion}: the cost of converting repvgg_b3 (time, peak memory over the trained model's size), five
 *       conversions;</li>
 *   <li>{@code speed}: deploy-vs-train inference speed for a0, b0 and b1g4 at batch 1 and 16 (rounds interleaved,
 *       medians; {@code -Drepzoo.bench.rounds=N}, default 7).</li>
 * </ul>
 * Each section ends with one line per target of docs/REPARAM.md and whether it held: the gap ≤ 1e-5 relative in
 * float32 and ≤ 1e-10 in double (largest over the variants), the conversion under 3 s (the median of the five runs)
 * and under 3x the model's size (the largest resident growth), and the deploy form faster than the train form
 * (speed-up above 1.0x at both batch sizes).
 *
 * <p>Weights are seeded random numbers ({@code fillWeights}), not trained ones: the gap needs batch-norm statistics
 * far from the identity, which a fresh graph's (mean 0, variance 1, gamma 1, beta 0) are not, and speed does not
 * depend on the values. {@code tools/bench/rounds.sh ReparamRounds conversion} (about a minute), or with no argument
 * all three (about 10 minutes); the b3 sections need the script's default JavaCPP limits (weights are off-heap).
 */
public final class ReparamRounds {

    private static final InputShape INPUT = InputShape.of(3, 224, 224);
    private static final int ROUNDS = Integer.getInteger("repzoo.bench.rounds", 7);
    /** docs/REPARAM.md's targets. */
    private static final double GAP_FLOAT = 1e-5;
    private static final double GAP_DOUBLE = 1e-10;
    private static final double CONVERSION_SECONDS = 3;
    private static final double CONVERSION_MEMORY = 3;

    private ReparamRounds() {
    }

    /** The sections by argument name, in the order they run. */
    private static Map<String, Section> sections() {
        Map<String, Section> sections = new LinkedHashMap<>();
        sections.put("gap", ReparamRounds::everyVariantsGap);
        sections.put("conversion", ReparamRounds::b3ConversionCost);
        sections.put("speed", ReparamRounds::deployVersusTrainSpeed);
        return sections;
    }

    @FunctionalInterface
    private interface Section {
        void run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Map<String, Section> sections = sections();
        List<String> chosen = args.length == 0 ? List.copyOf(sections.keySet()) : List.of(args);
        for (String name : chosen) {
            if (!sections.containsKey(name)) {
                System.err.println("usage: ReparamRounds [gap] [conversion] [speed] (none: all three); '" + name
                        + "' is not a section");
                System.exit(2);
            }
        }
        for (String name : sections.keySet()) {
            if (chosen.contains(name)) {
                sections.get(name).run();
            }
        }
    }

    private static void everyVariantsGap() {
        System.out.printf(Locale.ROOT, "%n| variant | blocks | max abs Δ fp32 | max abs Δ / max abs logit fp32 "
                + "| same as double: max abs Δ / max abs logit |%n|---|---|---|---|---|%n");
        INDArray input = uniform(Nd4j.create(DataType.FLOAT, 2, 3, 224, 224), "input".hashCode(), -1, 1);
        String worstFloat = null;
        String worstDouble = null;
        double largestFloat = 0;
        double largestDouble = 0;
        for (ModelEntry entry : trainForms()) {
            ComputationGraph train = seeded(entry.name());
            int blocks = Reparameterizer.blocks(train.getConfiguration()).size();
            ComputationGraph deploy = Reparameterizer.reparameterize(train);
            INDArray expected = train.outputSingle(false, input);
            double absolute = expected.sub(deploy.outputSingle(false, input)).amaxNumber().doubleValue();
            double relative = absolute / expected.amaxNumber().doubleValue();
            deploy = null;
            train = train.convertDataType(DataType.DOUBLE);
            INDArray inputDouble = input.castTo(DataType.DOUBLE);
            double relativeDouble = relativeGap(train.outputSingle(false, inputDouble),
                    Reparameterizer.reparameterize(train).outputSingle(false, inputDouble));
            System.out.printf(Locale.ROOT, "| %s | %d | %.2e | %.2e | %.2e |%n", entry.name(), blocks, absolute,
                    relative, relativeDouble);
            if (worstFloat == null || relative > largestFloat) {
                largestFloat = relative;
                worstFloat = entry.name();
            }
            if (worstDouble == null || relativeDouble > largestDouble) {
                largestDouble = relativeDouble;
                worstDouble = entry.name();
            }
            System.gc();
        }
        System.out.printf(Locale.ROOT, "target: deploy-vs-train logit gap ≤ 1e-5 relative in float32 — %s "
                + "(largest %.2e, %s)%n", held(largestFloat <= GAP_FLOAT), largestFloat, worstFloat);
        System.out.printf(Locale.ROOT, "target: deploy-vs-train logit gap ≤ 1e-10 relative in double — %s "
                + "(largest %.2e, %s)%n", held(largestDouble <= GAP_DOUBLE), largestDouble, worstDouble);
    }

    private static void b3ConversionCost() throws InterruptedException {
        ComputationGraph train = seeded("repvgg_b3");
        long modelBytes = train.params().length() * train.params().dataType().width();
        double[] seconds = new double[5];
        long[] peakResident = new long[seconds.length];
        long[] peakHeap = new long[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            System.gc();
            Thread.sleep(200);
            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            long heapBefore = heap.stream().mapToLong(pool -> pool.getUsage().getUsed()).sum();
            long residentBefore = residentBytes();
            AtomicLong residentPeak = new AtomicLong(residentBefore);
            Thread sampler = new Thread(() -> {
                try {
                    while (true) {
                        residentPeak.accumulateAndGet(residentBytes(), Math::max);
                        Thread.sleep(2); // a sampler, not a spinner: the conversion has both cores
                    }
                } catch (InterruptedException done) {
                    Thread.currentThread().interrupt();
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            long start = System.nanoTime();
            ComputationGraph deploy = Reparameterizer.reparameterize(train);
            seconds[i] = (System.nanoTime() - start) / 1e9;
            sampler.interrupt();
            sampler.join();
            residentPeak.accumulateAndGet(residentBytes(), Math::max);
            peakResident[i] = residentPeak.get() - residentBefore;
            peakHeap[i] = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum() - heapBefore;
            deploy.params().close();
        }
        System.out.printf(Locale.ROOT, "%nrepvgg_b3 train form: %d parameters incl. BN buffers, %.0f MB%n",
                train.params().length(), modelBytes / 1e6);
        System.out.printf(Locale.ROOT, "reparameterize: first %.2f s, median %.2f s (runs %s)%n", seconds[0],
                TimingStats.median(seconds), Arrays.toString(seconds));
        long resident = Arrays.stream(peakResident).max().orElseThrow();
        long heapPeak = Arrays.stream(peakHeap).max().orElseThrow();
        System.out.printf(Locale.ROOT, "largest of %d runs: resident-memory growth %.0f MB = %.2fx model, Java heap "
                + "growth %.0f MB = %.2fx model%n", seconds.length, resident / 1e6, (double) resident / modelBytes,
                heapPeak / 1e6, (double) heapPeak / modelBytes);
        System.out.printf(Locale.ROOT, "target: repvgg_b3 conversion under 3 s — %s (median %.2f s)%n",
                held(TimingStats.median(seconds) < CONVERSION_SECONDS), TimingStats.median(seconds));
        System.out.printf(Locale.ROOT, "target: repvgg_b3 conversion under 3x the model's size — %s (resident growth "
                + "%.2fx)%n", held((double) resident / modelBytes < CONVERSION_MEMORY), (double) resident / modelBytes);
    }

    private static void deployVersusTrainSpeed() {
        System.out.printf(Locale.ROOT, "%nthreads: %s, load average %.2f, %d rounds interleaved%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), ROUNDS);
        System.out.printf(Locale.ROOT, "| variant | batch | train img/s | deploy img/s | speedup |%n"
                + "|---|---|---|---|---|%n");
        List<String> targets = new ArrayList<>();
        for (String name : List.of("repvgg_a0", "repvgg_b0", "repvgg_b1g4")) {
            ComputationGraph train = seeded(name);
            ComputationGraph deploy = Reparameterizer.reparameterize(train);
            List<String> speedUps = new ArrayList<>();
            boolean faster = true;
            for (int batch : new int[] {1, 16}) {
                INDArray images = Nd4j.rand(DataType.FLOAT, batch, 3, 224, 224);
                train.outputSingle(false, images);
                deploy.outputSingle(false, images);
                double[] trainSeconds = new double[ROUNDS];
                double[] deploySeconds = new double[ROUNDS];
                for (int round = 0; round < ROUNDS; round++) {
                    trainSeconds[round] = time(train, images);
                    deploySeconds[round] = time(deploy, images);
                }
                double trainRate = batch / TimingStats.median(trainSeconds);
                double deployRate = batch / TimingStats.median(deploySeconds);
                System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.2fx |%n", name, batch, trainRate,
                        deployRate, deployRate / trainRate);
                speedUps.add(String.format(Locale.ROOT, "%.2fx at batch %d", deployRate / trainRate, batch));
                faster &= deployRate > trainRate;
            }
            targets.add(String.format(Locale.ROOT, "target: %s deploy form faster than train form (speed-up > 1.0x) "
                    + "— %s (%s)", name, held(faster), String.join(", ", speedUps)));
        }
        targets.forEach(System.out::println);
    }

    private static List<ModelEntry> trainForms() {
        List<ModelEntry> entries = new ArrayList<>();
        Zoo.registry().stream().filter(entry -> entry.family() == Family.REPVGG && !entry.name().endsWith("_deploy"))
                .forEach(entries::add);
        return entries;
    }

    /** A registered RepVGG train form at 224x224 with seeded weights ({@code fillWeights}). */
    private static ComputationGraph seeded(String name) {
        ComputationGraph graph = Zoo.registry().get(name).init(ModelOptions.defaults().withInput(INPUT));
        fillWeights(graph);
        return graph;
    }

    /**
     * Fills every parameter from a seed of its layer's and parameter's names, so a run gives the same weights whatever
     * else ran before it, with the scales of the hashed fixtures (tools/reference/hashed_weights.py) that the figures
     * were first measured on: weights uniform with He's variance ({@code ±sqrt(6 / fanIn)}), biases, BN shifts and
     * running means within ±0.1, running variances in 0.5..1.5, and BN scales of 0.3..0.5, since a RepVGG block sums
     * three branches and a scale near 1 would grow the activations about threefold per block. The gap then measures
     * real folding: every statistic differs from the identity a fresh graph has.
     */
    private static void fillWeights(ComputationGraph graph) {
        for (Layer layer : graph.getLayers()) {
            String layerName = layer.conf().getLayer().getLayerName();
            boolean batchNorm = layer.conf().getLayer() instanceof BatchNormalization;
            for (Map.Entry<String, INDArray> parameter : layer.paramTable().entrySet()) {
                INDArray values = parameter.getValue();
                long seed = 31L * layerName.hashCode() + parameter.getKey().hashCode();
                switch (batchNorm ? "bn." + parameter.getKey() : parameter.getKey()) {
                    case "bn.gamma" -> uniform(values, seed, 0.3, 0.5);
                    case "bn.var" -> uniform(values, seed, 0.5, 1.5);
                    case "W" -> {
                        long[] shape = values.shape();
                        // DL4J's dense weight is [in, out]; convolution weights are [out, in/groups, kH, kW]
                        long fanIn = shape.length == 2 ? shape[0] : values.length() / shape[0];
                        double bound = Math.sqrt(6.0 / fanIn);
                        uniform(values, seed, -bound, bound);
                    }
                    default -> uniform(values, seed, -0.1, 0.1);
                }
            }
        }
    }

    /** Fills {@code target} in place with uniform values in [low, high) from {@code seed}; returns it. */
    private static INDArray uniform(INDArray target, long seed, double low, double high) {
        INDArray values = Nd4j.rand(seed, target.shape()).muli(high - low).addi(low);
        return target.assign(values);
    }

    private static double relativeGap(INDArray expected, INDArray actual) {
        return expected.sub(actual).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
    }

    private static String held(boolean held) {
        return held ? "held" : "missed";
    }

    /** The process's resident memory: DL4J keeps weights off the Java heap, where only this sees them. */
    private static long residentBytes() {
        return Pointer.physicalBytes();
    }

    private static double time(ComputationGraph graph, INDArray images) {
        long start = System.nanoTime();
        graph.outputSingle(false, images);
        return (System.nanoTime() - start) / 1e9;
    }
}
