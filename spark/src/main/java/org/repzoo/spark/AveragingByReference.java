package org.repzoo.spark;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.deeplearning4j.spark.impl.common.SplitPartitionsFunction;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * DL4J's parameter averaging ({@link ParameterAveragingTrainingMaster}, dl4j-spark 1.0.0-M2) for minibatches that
 * executors build from references. DL4J's own path persists the epoch's RDD, counts it, and splits it into averaging
 * periods by sampling every partition ({@code SparkUtils.balancedRandomSplit}): over an RDD whose elements are decoded
 * on the executors, that would hold a decoded epoch in the executors' memory and read every partition once per
 * period. This master takes the same steps on the references instead (the same generator draw, the same split
 * function, over the same partitions) and lets executors turn only each period's references into minibatches, in
 * DL4J's own {@code doIteration}: the minibatches of each period, and so the averaged weights, are those of DL4J's
 * path over the same minibatches held in memory (for in-memory minibatches, the references are the minibatches).
 *
 * <p>References the driver holds ({@link SparkTraining.Epoch#onDriver}) are split on the driver and each period is
 * parallelized on its own, so a period's tasks carry that period's references: with DL4J's split every task of every
 * period carries its whole partition (a parallelized partition travels inside its task) and drops what is not its
 * period's, which for P periods ships the epoch's sample lists P times.
 *
 * <p>When to drop it: when a DL4J release can train an RDD of references with a loader without exporting it to
 * files ({@code fitPaths} needs real files), or splits before it decodes.
 */
final class AveragingByReference extends ParameterAveragingTrainingMaster {

    private static final long serialVersionUID = 1L;

    /** What runs after each averaging period, on the driver (it may stop the epoch). */
    @FunctionalInterface
    interface AfterPeriod {
        void periodDone() throws IOException;
    }

    AveragingByReference(Builder builder) {
        super(builder);
    }

    /**
     * Trains one epoch: its references in their partitions, each partition turned into minibatches by
     * {@code minibatches} on the executor; {@code afterPeriod} runs after each average.
     */
    <R> void fit(SparkComputationGraph network, SparkTraining.Epoch<R> epoch,
                 FlatMapFunction<Iterator<R>, MultiDataSet> minibatches, AfterPeriod afterPeriod)
            throws IOException {
        if (numWorkers == null) {
            numWorkers = network.getSparkContext().defaultParallelism();
        }
        List<JavaRDD<R>> periods = epoch.slices() == null
                ? List.of(getSplitRDDs(epoch.references(), (int) epoch.count(), rddDataSetNumExamples))
                : periods(network.getSparkContext(), epoch.slices(), (int) epoch.count());
        for (int period = 0; period < periods.size(); period++) {
            doIteration(network, periods.get(period).mapPartitions(minibatches), period + 1, periods.size());
            afterPeriod.periodDone();
        }
    }

    /**
     * DL4J's split of {@code slices} into averaging periods ({@code getSplitRDDs}: one draw from the master's
     * generator, then {@link SplitPartitionsFunction} on each partition) computed on the driver in one pass: each
     * partition's generator is seeded from that draw and the partition's index, and every {@code numSplits}
     * references it shuffles which period gets which. Each period keeps the partition layout.
     */
    private <R> List<JavaRDD<R>> periods(JavaSparkContext spark, List<List<R>> slices, int count) {
        int perPeriod = getNumDataSetObjectsPerSplit(rddDataSetNumExamples);
        long seed = rng.nextLong(); // drawn whether or not the epoch splits, as getSplitRDDs draws it
        if (count <= perPeriod) {
            return List.of(parallelized(spark, slices));
        }
        int numSplits = count / perPeriod;
        List<List<List<R>>> periods = new ArrayList<>(numSplits);
        for (int split = 0; split < numSplits; split++) {
            List<List<R>> layout = new ArrayList<>(slices.size());
            for (int partition = 0; partition < slices.size(); partition++) {
                layout.add(new ArrayList<>());
            }
            periods.add(layout);
        }
        for (int partition = 0; partition < slices.size(); partition++) {
            Random random = new Random(seed + partition);
            List<Integer> order = new ArrayList<>(numSplits);
            for (int split = 0; split < numSplits; split++) {
                order.add(split);
            }
            int position = 0;
            for (R reference : slices.get(partition)) {
                if (position % numSplits == 0) {
                    Collections.shuffle(order, random);
                }
                periods.get(order.get(position % numSplits)).get(partition).add(reference);
                position++;
            }
        }
        List<JavaRDD<R>> rdds = new ArrayList<>(numSplits);
        for (List<List<R>> period : periods) {
            rdds.add(parallelized(spark, period));
        }
        return rdds;
    }

    /** One Spark partition per list, holding that list's references in order. */
    private static <R> JavaRDD<R> parallelized(JavaSparkContext spark, List<List<R>> slices) {
        List<ArrayList<R>> lists = new ArrayList<>(slices.size());
        for (List<R> slice : slices) {
            lists.add(new ArrayList<>(slice));
        }
        // parallelize cuts n elements into n slices of one element each
        return spark.parallelize(lists, lists.size()).flatMap(ArrayList::iterator);
    }
}
