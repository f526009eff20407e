package org.repzoo.zoo.core;

import java.util.Arrays;
import java.util.function.LongConsumer;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs a graph in inference mode (BatchNorm running statistics, no dropout) in batches and returns the logits of its
 * main head: the first network output (auxiliary classifiers, where a model has them, come after it).
 */
public final class Inference {

    private Inference() {
    }

    /**
     * Logits {@code [N, classes]} for a float NCHW input, computed {@code batchSize} images at a time.
     *
     * @param progress told the number of images done after each batch
     */
    public static INDArray logits(ComputationGraph graph, INDArray input, int batchSize, LongConsumer progress) {
        check(graph, input);
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be at least 1, got " + batchSize);
        }
        long n = input.size(0);
        INDArray result = null;
        for (long start = 0; start < n; start += batchSize) {
            long end = Math.min(n, start + batchSize);
            INDArray batch = input.get(NDArrayIndex.interval(start, end), NDArrayIndex.all(), NDArrayIndex.all(),
                    NDArrayIndex.all()).dup('c');
            INDArray out;
            try {
                out = graph.output(false, batch)[0];
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("the model cannot run an input of shape " + Arrays.toString(input.shape())
                        + ": " + e.getMessage(), e);
            }
            if (result == null) {
                result = Nd4j.createUninitialized(DataType.FLOAT, n, out.size(1));
            }
            result.get(NDArrayIndex.interval(start, end), NDArrayIndex.all()).assign(out);
            progress.accept(end);
        }
        return result;
    }

    private static void check(ComputationGraph graph, INDArray input) {
        if (input.rank() != 4) {
            throw new IllegalArgumentException("input must be NCHW (rank 4), got shape " + Arrays.toString(input.shape()));
        }
        if (input.size(0) == 0) {
            throw new IllegalArgumentException("input holds no images (shape " + Arrays.toString(input.shape()) + ")");
        }
        if (!input.dataType().isFPType()) {
            throw new IllegalArgumentException("input must be floating point, got " + input.dataType());
        }
        long channels = inputChannels(graph);
        if (channels > 0 && channels != input.size(1)) {
            throw new IllegalArgumentException("input has " + input.size(1) + " channels, the model expects " + channels
                    + " (shape " + Arrays.toString(input.shape()) + ")");
        }
    }

    /** nIn of the first convolution, or -1. */
    private static long inputChannels(ComputationGraph graph) {
        var conf = graph.getConfiguration();
        for (String name : GraphOrder.topological(conf)) {
            if (conf.getVertices().get(name) instanceof LayerVertex v
                    && v.getLayerConf().getLayer() instanceof ConvolutionLayer conv) {
                return conv.getNIn();
            }
        }
        return -1;
    }
}
