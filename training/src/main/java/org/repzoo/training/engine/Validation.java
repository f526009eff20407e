package org.repzoo.training.engine;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.training.data.BatchLoader;

/** Loss and accuracy of a graph's main output over a dataset's evaluation views (inference mode). */
public final class Validation {

    /** Mean cross-entropy of the softmax of the logits, top-1 and top-5 accuracy, over {@code images} images. */
    public record Result(double loss, double top1, double top5, int images) {

        /** The result over all of the parts' images (parts of a validation set, in order; empty parts count nothing). */
        public static Result combine(List<Result> parts) {
            double loss = 0;
            long top1 = 0;
            long top5 = 0;
            int images = 0;
            for (Result part : parts) {
                if (part.images() > 0) {
                    loss += part.loss() * part.images();
                    top1 += Math.round(part.top1() * part.images());
                    top5 += Math.round(part.top5() * part.images());
                    images += part.images();
                }
            }
            return images == 0 ? new Result(Double.NaN, Double.NaN, Double.NaN, 0)
                    : new Result(loss / images, (double) top1 / images, (double) top5 / images, images);
        }
    }

    private Validation() {
    }

    public static Result run(ComputationGraph graph, BatchLoader data, int batchSize) throws IOException {
        int n = data.size();
        double loss = 0;
        long top1 = 0;
        long top5 = 0;
        CompletableFuture<BatchLoader.Batch> next = data.submit(range(0, Math.min(n, batchSize)), 0);
        for (int from = 0; from < n; from += batchSize) {
            BatchLoader.Batch batch = BatchLoader.await(next);
            int nextFrom = from + batchSize;
            if (nextFrom < n) {
                next = data.submit(range(nextFrom, Math.min(n, nextFrom + batchSize)), 0);
            }
            double[][] logits = graph.output(false, batch.features())[0].castTo(DataType.DOUBLE).toDoubleMatrix();
            for (int i = 0; i < logits.length; i++) {
                int label = batch.labelIndices()[i];
                double max = Double.NEGATIVE_INFINITY;
                for (double v : logits[i]) {
                    max = Math.max(max, v);
                }
                double sum = 0;
                int above = 0;
                for (double v : logits[i]) {
                    sum += Math.exp(v - max);
                    if (v > logits[i][label]) {
                        above++;
                    }
                }
                loss += Math.log(sum) + max - logits[i][label];
                top1 += above == 0 ? 1 : 0;
                top5 += above < 5 ? 1 : 0;
            }
        }
        return new Result(loss / n, (double) top1 / n, (double) top5 / n, n);
    }

    private static int[] range(int from, int to) {
        return IntStream.range(from, to).toArray();
    }
}
