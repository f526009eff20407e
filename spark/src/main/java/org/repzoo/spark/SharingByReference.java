package org.repzoo.spark;

import org.apache.spark.api.java.JavaRDD;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster;
import org.nd4j.linalg.dataset.api.MultiDataSet;

/**
 * DL4J's gradient sharing ({@link SharedTrainingMaster}, dl4j-spark-parameterserver 1.0.0-M2) for minibatches that
 * executors build from references. DL4J persists and counts the RDD before it trains it, only for its statistics:
 * over an RDD decoded on the executors that decodes the epoch twice and holds it in their memory. This master trains
 * the RDD as given (one pass, each minibatch decoded as DL4J takes it); the rest is DL4J's, configured by its builder.
 *
 * <p>When to drop it: when a DL4J release counts only where it collects statistics.
 */
final class SharingByReference extends SharedTrainingMaster {

    private static final long serialVersionUID = 1L;

    /** The master {@code built} by DL4J's builder, with minibatches of {@code batchPerWorker}, never persisted. */
    SharingByReference(SharedTrainingMaster built, int batchPerWorker) {
        super(built.getVoidConfiguration(), built.getNumWorkers(), built.getRddTrainingApproach(), null,
                built.isCollectTrainingStats(), built.getRepartitionStrategy(), built.getRepartition(),
                built.getThresholdAlgorithm(), built.getResidualPostProcessor(), built.getRddDataSetNumExamples(),
                batchPerWorker, built.getDebugLongerIterations(), built.getNumWorkersPerNode(),
                built.getWorkerPrefetchBatches(), built.getRepartitioner(), built.getWorkerTogglePeriodicGC(),
                built.getWorkerPeriodicGCFrequency(), built.isEncodingDebugMode());
    }

    @Override
    protected void executeTrainingDirectMDS(SparkComputationGraph network, JavaRDD<MultiDataSet> trainingData) {
        doIterationMDS(network, trainingData, 1, 1);
    }
}
