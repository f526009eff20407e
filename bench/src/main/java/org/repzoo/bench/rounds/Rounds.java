package org.repzoo.bench.rounds;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.bench.TimingStats;

/**
 * Interleaved rounds, the method of these programs: every candidate runs once per round, rounds after rounds, so that
 * other load on the machine hits all candidates alike; each one's figure is the median over the rounds.
 */
final class Rounds {

    private Rounds() {
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
