package org.repzoo.training.parallel;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/** Equal consecutive row ranges of a batch, one per replica (copies, so each worker thread owns its arrays). */
final class Shards {

    private Shards() {
    }

    static MultiDataSet[] split(MultiDataSet batch, int replicas) {
        long rows = batch.getFeatures(0).size(0);
        if (rows % replicas != 0) {
            throw new IllegalArgumentException("a batch of " + rows + " does not split evenly over " + replicas
                    + " replicas: choose a batch size divisible by " + replicas);
        }
        long size = rows / replicas;
        MultiDataSet[] shards = new MultiDataSet[replicas];
        for (int r = 0; r < replicas; r++) {
            shards[r] = new org.nd4j.linalg.dataset.MultiDataSet(rows(batch.getFeatures(), r * size, size),
                    rows(batch.getLabels(), r * size, size));
        }
        return shards;
    }

    private static INDArray[] rows(INDArray[] arrays, long from, long count) {
        INDArray[] out = new INDArray[arrays.length];
        for (int i = 0; i < arrays.length; i++) {
            INDArrayIndex[] index = new INDArrayIndex[arrays[i].rank()];
            index[0] = NDArrayIndex.interval(from, from + count);
            for (int d = 1; d < index.length; d++) {
                index[d] = NDArrayIndex.all();
            }
            out[i] = arrays[i].get(index).dup('c');
        }
        return out;
    }
}
