package org.repzoo.bench.rounds;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.ModelOptions;

/**
 * Issue 5's grouped-convolution figure: ResNeXt-50 (32x4d) inference throughput relative to ResNet-50's, batch 16,
 * 224x224, float32, oneDNN on; the two nets alternate every round, medians after a warm-up.
 * {@code tools/bench/resnext_torch.py} measures the same ratio in PyTorch, the bar to reach (no fixed figure, so no
 * target line is printed). No arguments; {@code -Drepzoo.bench.rounds=N} (default 7) adjusts it:
 * {@code tools/bench/rounds.sh ResNeXtSpeedRounds}. Figures are in {@code docs/LAYERS.md}.
 */
public final class ResNeXtSpeedRounds {

    private static final int BATCH = 16;
    private static final int ROUNDS = Integer.getInteger("repzoo.bench.rounds", 7);

    private ResNeXtSpeedRounds() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            System.err.println("usage: ResNeXtSpeedRounds (no arguments; -Drepzoo.bench.rounds=N)");
            System.exit(2);
        }
        List<String> names = List.of("resnet50", "resnext50_32x4d");
        ComputationGraph[] nets = names.stream().map(name -> Zoo.registry().get(name).init(ModelOptions.defaults()))
                .toArray(ComputationGraph[]::new);
        INDArray input = Nd4j.rand(DataType.FLOAT, BATCH, 3, 224, 224);
        double[][] seconds = new double[nets.length][ROUNDS];
        for (ComputationGraph net : nets) {
            net.outputSingle(false, input);
        }
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < nets.length; i++) {
                long start = System.nanoTime();
                nets[i].outputSingle(false, input);
                seconds[i][round] = (System.nanoTime() - start) / 1e9;
            }
        }
        System.out.printf(Locale.ROOT, "%nDL4J, batch %d, %d rounds, load average %.2f%n", BATCH, ROUNDS,
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        double[] rate = new double[nets.length];
        for (int i = 0; i < nets.length; i++) {
            double[] sorted = seconds[i].clone();
            Arrays.sort(sorted);
            rate[i] = BATCH / sorted[ROUNDS / 2];
            System.out.printf(Locale.ROOT, "%-16s %6.2f images/s%n", names.get(i), rate[i]);
        }
        System.out.printf(Locale.ROOT, "resnext50_32x4d / resnet50 = %.2f%n", rate[1] / rate[0]);
    }
}
