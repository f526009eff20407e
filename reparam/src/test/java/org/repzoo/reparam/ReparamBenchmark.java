package org.repzoo.reparam;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.weights.HashedWeights;

/**
 * The figures of docs/REPARAM.md: for every RepVGG variant the deploy-vs-train logit gap (float32 and double, 224x224,
 * hashed weights with non-trivial BN statistics), the cost of converting repvgg_b3 (time, peak memory over the
 * trained model's size), and deploy-vs-train inference speed for a0, b0 and b1g4 at batch 1 and 16 (rounds
 * interleaved, medians). Not part of the normal suite:
 * {@code mvn -o -q -B -pl reparam test -Dtest=ReparamBenchmark -Drepzoo.bench=true -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class ReparamBenchmark {

    private static final InputShape INPUT = InputShape.of(3, 224, 224);
    private static final int ROUNDS = Integer.getInteger("repzoo.bench.rounds", 7);

    @Test
    @EnabledIfSystemProperty(named = "repzoo.bench", matches = "true")
    void everyVariantsGap() throws Exception {
        System.out.printf(Locale.ROOT, "%n| variant | blocks | max abs Δ fp32 | max abs Δ / max abs logit fp32 | same as double: "
                + "max abs Δ / max abs logit |%n|---|---|---|---|---|%n");
        INDArray input = HashedWeights.tensor("input", new long[] {2, 3, 224, 224});
        for (ModelEntry entry : trainForms()) {
            ComputationGraph train = ReparameterizerTest.trained(entry.name(), INPUT);
            int blocks = Reparameterizer.blocks(train.getConfiguration()).size();
            ComputationGraph deploy = Reparameterizer.reparameterize(train);
            INDArray expected = train.outputSingle(false, input);
            double absolute = expected.sub(deploy.outputSingle(false, input)).amaxNumber().doubleValue();
            double relative = absolute / expected.amaxNumber().doubleValue();
            deploy = null;
            train = train.convertDataType(DataType.DOUBLE);
            INDArray inputDouble = input.castTo(DataType.DOUBLE);
            double relativeDouble = ReparameterizerTest.relativeGap(train.outputSingle(false, inputDouble),
                    Reparameterizer.reparameterize(train).outputSingle(false, inputDouble));
            System.out.printf(Locale.ROOT, "| %s | %d | %.2e | %.2e | %.2e |%n", entry.name(), blocks, absolute, relative,
                    relativeDouble);
            System.gc();
        }
    }

    @Test
    @EnabledIfSystemProperty(named = "repzoo.bench", matches = "true")
    void b3ConversionCost() throws Exception {
        ComputationGraph train = ReparameterizerTest.trained("repvgg_b3", INPUT);
        long modelBytes = train.params().length() * train.params().dataType().width();
        double[] seconds = new double[5];
        long[] peakResident = new long[seconds.length];
        long[] peakHeap = new long[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            System.gc();
            Thread.sleep(200);
            List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(p -> p.getType() == MemoryType.HEAP).toList();
            heap.forEach(MemoryPoolMXBean::resetPeakUsage);
            long heapBefore = heap.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
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
            peakHeap[i] = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() - heapBefore;
            deploy.params().close();
        }
        System.out.printf(Locale.ROOT, "%nrepvgg_b3 train form: %d parameters incl. BN buffers, %.0f MB%n",
                train.params().length(), modelBytes / 1e6);
        System.out.printf(Locale.ROOT, "reparameterize: first %.2f s, median %.2f s (runs %s)%n", seconds[0], median(seconds),
                Arrays.toString(seconds));
        long resident = Arrays.stream(peakResident).max().orElseThrow();
        long heapPeak = Arrays.stream(peakHeap).max().orElseThrow();
        System.out.printf(Locale.ROOT, "largest of %d runs: resident-memory growth %.0f MB = %.2fx model, Java heap growth "
                + "%.0f MB = %.2fx model%n", seconds.length, resident / 1e6, (double) resident / modelBytes, heapPeak / 1e6,
                (double) heapPeak / modelBytes);
    }

    @Test
    @EnabledIfSystemProperty(named = "repzoo.bench", matches = "true")
    void deployVersusTrainSpeed() throws Exception {
        System.out.printf(Locale.ROOT, "%nthreads: %s, load average %.2f, %d rounds interleaved%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), ROUNDS);
        System.out.printf(Locale.ROOT, "| variant | batch | train img/s | deploy img/s | speedup |%n|---|---|---|---|---|%n");
        for (String name : List.of("repvgg_a0", "repvgg_b0", "repvgg_b1g4")) {
            ComputationGraph train = ReparameterizerTest.trained(name, INPUT);
            ComputationGraph deploy = Reparameterizer.reparameterize(train);
            for (int batch : new int[] {1, 16}) {
                INDArray x = Nd4j.rand(DataType.FLOAT, batch, 3, 224, 224);
                train.outputSingle(false, x);
                deploy.outputSingle(false, x);
                double[] trainSeconds = new double[ROUNDS];
                double[] deploySeconds = new double[ROUNDS];
                for (int round = 0; round < ROUNDS; round++) {
                    trainSeconds[round] = time(train, x);
                    deploySeconds[round] = time(deploy, x);
                }
                double trainRate = batch / median(trainSeconds);
                double deployRate = batch / median(deploySeconds);
                System.out.printf(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.2fx |%n", name, batch, trainRate, deployRate,
                        deployRate / trainRate);
            }
        }
    }

    private static List<ModelEntry> trainForms() {
        List<ModelEntry> entries = new ArrayList<>();
        Zoo.registry().stream().filter(e -> e.family() == Family.REPVGG && !e.name().endsWith("_deploy"))
                .forEach(entries::add);
        return entries;
    }

    /** The process's resident memory: DL4J keeps weights off the Java heap, where only this sees them. */
    private static long residentBytes() {
        return Pointer.physicalBytes();
    }

    private static double time(ComputationGraph graph, INDArray x) {
        long start = System.nanoTime();
        graph.outputSingle(false, x);
        return (System.nanoTime() - start) / 1e9;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

}
