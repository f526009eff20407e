package org.repzoo.spark;

import java.io.IOException;
import java.util.Iterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
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
     * Trains one epoch: {@code count} references in their partitions, each partition turned into minibatches by
     * {@code minibatches} on the executor; {@code afterPeriod} runs after each average.
     */
    <R> void fit(SparkComputationGraph network, JavaRDD<R> references, long count,
                 FlatMapFunction<Iterator<R>, MultiDataSet> minibatches, AfterPeriod afterPeriod)
            throws IOException {
        if (numWorkers == null) {
            numWorkers = network.getSparkContext().defaultParallelism();
        }
        JavaRDD<R>[] periods = getSplitRDDs(references, (int) count, rddDataSetNumExamples);
        for (int period = 0; period < periods.length; period++) {
            doIteration(network, periods[period].mapPartitions(minibatches), period + 1, periods.length);
            afterPeriod.periodDone();
        }
    }
}
