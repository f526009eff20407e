package org.repzoo.bench.rounds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;
import org.repzoo.compat.Threads;
import org.repzoo.compat.TrainingHelpers;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.Zoo;

/**
 * Training-step throughput (forward, loss, backward, the recipe's SGD momentum with weight decay), batch 16, 224x224,
 * for resnet50 and repvgg_a0, the models alternating every round, medians after two warm-up steps; PyTorch's side is
 * tools/bench/train_step_torch.py. No arguments; {@code -Drepzoo.bench.rounds=N} (default 7) adjusts it. Run on an
 * idle machine: {@code tools/bench/rounds.sh TrainingStepRounds}. A resnet50 step at batch 16 holds about 5 GB
 * resident, within the script's default JavaCPP limits. Figures are in docs/TRAINING.md.
 */
public final class TrainingStepRounds {

    private static final int BATCH = 16;

    private TrainingStepRounds() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            System.err.println("usage: TrainingStepRounds (no arguments; -Drepzoo.bench.rounds=N)");
            System.exit(2);
        }
        OneDnn.enable();
        int rounds = Integer.getInteger("repzoo.bench.rounds", 7);
        Map<String, ComputationGraph> nets = new LinkedHashMap<>();
        for (String name : List.of("resnet50", "repvgg_a0")) {
            ComputationGraph graph = Zoo.registry().get(name).init();
            ComputationGraph trained = RecipeApplier.apply(graph, Recipes.forFamily(Zoo.registry().get(name).family())
                    .withBatchSize(BATCH), 1000);
            TrainingHelpers.install(trained); // the layer helpers the training loop runs with
            nets.put(name, trained);
        }
        INDArray images = Nd4j.rand(DataType.FLOAT, BATCH, 3, 224, 224);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, BATCH, 1000);
        for (int i = 0; i < BATCH; i++) {
            labels.putScalar(i, (i * 37) % 1000, 1);
        }
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        try (Threads.BlasScope blas = Threads.oneBlasThread()) { // as the training loop runs
            for (Map.Entry<String, ComputationGraph> net : nets.entrySet()) {
                seconds.put(net.getKey(), new ArrayList<>());
                for (int i = 0; i < 2; i++) {
                    net.getValue().fit(OutputBatches.of(net.getValue(), images, labels));
                }
            }
            for (int round = 0; round < rounds; round++) {
                for (Map.Entry<String, ComputationGraph> net : nets.entrySet()) {
                    long start = System.nanoTime();
                    net.getValue().fit(OutputBatches.of(net.getValue(), images, labels));
                    seconds.get(net.getKey()).add((System.nanoTime() - start) / 1e9);
                }
            }
        }
        System.out.printf(Locale.ROOT, "DL4J training step, batch %d, 224x224, %d rounds%n", BATCH, rounds);
        for (Map.Entry<String, List<Double>> entry : seconds.entrySet()) {
            double[] sorted = entry.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = sorted[sorted.length / 2];
            System.out.printf(Locale.ROOT, "%-10s %6.2f images/s (median step %.3f s, all %s)%n", entry.getKey(),
                    BATCH / median, median, Arrays.toString(sorted));
        }
    }
}
