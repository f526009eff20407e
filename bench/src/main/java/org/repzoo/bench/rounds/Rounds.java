package org.repzoo.bench.rounds;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.repzoo.bench.TimingStats;
import org.repzoo.zoo.core.Graphs;

/**
 * Interleaved rounds, the method of these programs: every candidate runs once per round, rounds after rounds, so that
 * other load on the machine hits all candidates alike; each one's figure is the median over the rounds.
 */
final class Rounds {

    private Rounds() {
    }

    /**
     * A probe graph of the layer benchmarks: input "in" of {@code channels} x {@code size} x {@code size}, the layers
     * {@code body} adds (ending in a vertex named "conv"), then an MSE loss; seeded, float, SGD, ReLU initialisation.
     */
    static ComputationGraph probeGraph(int size, int channels,
                                       Consumer<ComputationGraphConfiguration.GraphBuilder> body) {
        ComputationGraphConfiguration.GraphBuilder builder = new NeuralNetConfiguration.Builder()
                .seed(1)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(1e-4))
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(size, size, channels));
        body.accept(builder);
        builder.addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                .activation(Activation.IDENTITY).build(), "conv");
        return Graphs.create(builder.setOutputs("loss").build());
    }

    /** Seconds of one candidate: a forward pass and a training step, per round. */
    record Times(double[] forward, double[] train) {
        double forwardMedian() {
            return TimingStats.median(forward);
        }

        double trainMedian() {
            return TimingStats.median(train);
        }
    }

    /**
     * Times {@code output(false, input)} and then {@code fit(input, labels)} of every candidate, {@code warmup}
     * untimed rounds first.
     */
    static Map<String, Times> forwardAndTrain(Map<String, ComputationGraph> candidates, INDArray input,
                                              INDArray labels, int warmup, int rounds) {
        Map<String, Times> times = new LinkedHashMap<>();
        candidates.keySet().forEach(name -> times.put(name, new Times(new double[rounds], new double[rounds])));
        for (int round = -warmup; round < rounds; round++) {
            for (Map.Entry<String, ComputationGraph> candidate : candidates.entrySet()) {
                ComputationGraph net = candidate.getValue();
                long start = System.nanoTime();
                net.output(false, input);
                long forwardEnd = System.nanoTime();
                net.fit(new INDArray[] {input}, new INDArray[] {labels});
                long trainEnd = System.nanoTime();
                if (round >= 0) {
                    times.get(candidate.getKey()).forward()[round] = (forwardEnd - start) / 1e9;
                    times.get(candidate.getKey()).train()[round] = (trainEnd - forwardEnd) / 1e9;
                }
            }
        }
        return times;
    }

    /** The table of medians: one row per candidate, forward and train-step seconds. */
    static void print(Map<String, Times> times, int nameWidth) {
        String row = "  %-" + nameWidth + "s %10s %12s%n";
        System.out.printf(Locale.ROOT, row, "candidate", "forward s", "train step s");
        times.forEach((name, t) -> System.out.printf(Locale.ROOT, "  %-" + nameWidth + "s %10.4f %12.4f%n", name,
                t.forwardMedian(), t.trainMedian()));
    }

    /** The machine's one-minute load average. */
    static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }
}
