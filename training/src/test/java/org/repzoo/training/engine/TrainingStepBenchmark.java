package org.repzoo.training.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.OneDnn;

/**
 * Training-step throughput (forward, loss, backward, the recipe's SGD momentum with weight decay), batch 16, 224x224,
 * for resnet50 and repvgg_a0, the models alternating every round, medians after two warm-up steps; PyTorch's side is
 * tools/bench/train_step_torch.py. Run on an idle machine:
 * {@code mvn -o -q -B -pl zoo,evaluation,reparam,training test -Dtest=TrainingStepBenchmark -Drepzoo.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}. Figures are in docs/TRAINING.md.
 */
class TrainingStepBenchmark {

    private static final int BATCH = 16;

    @Test
    @EnabledIfSystemProperty(named = "repzoo.bench", matches = "true")
    void trainingStepImagesPerSecond() {
        OneDnn.enable();
        int rounds = Integer.getInteger("repzoo.bench.rounds", 7);
        Map<String, ComputationGraph> nets = new LinkedHashMap<>();
        for (String name : List.of("resnet50", "repvgg_a0")) {
            ComputationGraph graph = Zoo.registry().get(name).init();
            nets.put(name, RecipeApplier.apply(graph, Recipes.forFamily(Zoo.registry().get(name).family())
                    .withBatchSize(BATCH), 1000));
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 3, 224, 224);
        INDArray y = Nd4j.zeros(DataType.FLOAT, BATCH, 1000);
        for (int i = 0; i < BATCH; i++) {
            y.putScalar(i, (i * 37) % 1000, 1);
        }
        Map<String, List<Double>> seconds = new LinkedHashMap<>();
        for (Map.Entry<String, ComputationGraph> net : nets.entrySet()) {
            seconds.put(net.getKey(), new ArrayList<>());
            for (int i = 0; i < 2; i++) {
                net.getValue().fit(OutputBatches.of(net.getValue(), x, y));
            }
        }
        for (int r = 0; r < rounds; r++) {
            for (Map.Entry<String, ComputationGraph> net : nets.entrySet()) {
                long start = System.nanoTime();
                net.getValue().fit(OutputBatches.of(net.getValue(), x, y));
                seconds.get(net.getKey()).add((System.nanoTime() - start) / 1e9);
            }
        }
        System.out.printf("DL4J training step, batch %d, 224x224, %d rounds%n", BATCH, rounds);
        for (Map.Entry<String, List<Double>> entry : seconds.entrySet()) {
            double[] sorted = entry.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = sorted[sorted.length / 2];
            System.out.printf("%-10s %6.2f images/s (median step %.3f s, all %s)%n", entry.getKey(), BATCH / median,
                    median, Arrays.toString(sorted));
        }
    }
}
