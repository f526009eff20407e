package org.repzoo.spark;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.repzoo.compat.OneDnn;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.training.engine.Validation;

/**
 * A training run's validation after each epoch, on the executors: the epoch's weights are broadcast, each task
 * validates a contiguous block of the validation set ({@link SampleBlock}, read on the executor) with the training
 * module's {@link Validation}, and the driver adds the parts in order ({@link Validation.Result#combine}). The
 * top-1 and top-5 figures are those of one JVM; the mean loss is summed in another order (last digits may differ).
 */
final class SparkValidation {

    private SparkValidation() {
    }

    /** {@code graph} on {@code data}, in {@code partitions} tasks. */
    static Validation.Result run(JavaSparkContext spark, ComputationGraph graph, Dataset data, ShippedImages images,
                                 ShippedPreset preset, long seed, int batchSize, int workers, int partitions)
            throws IOException {
        int n = data.samples().size();
        int parts = Math.max(1, Math.min(n, partitions));
        List<SampleBlock> blocks = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            int from = (int) ((long) p * n / parts);
            int to = (int) ((long) (p + 1) * n / parts);
            blocks.add(images.block(data, 0, from, IntStream.range(from, to).toArray()));
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ModelSerializer.writeModel(graph, bytes, false);
        Broadcast<byte[]> model = spark.broadcast(bytes.toByteArray());
        try {
            List<Part> results = new ArrayList<>(spark.parallelize(blocks, parts)
                    .map(new Task(model, images, preset, seed, batchSize, workers)).collect());
            results.sort(Comparator.comparingInt(Part::from));
            List<BadSample> bad = results.stream().filter(part -> part.bad() != null).map(Part::bad).toList();
            BadSample.stopAtFirst(bad);
            return Validation.Result.combine(results.stream().map(part -> new Validation.Result(part.loss(),
                    part.top1(), part.top5(), part.images())).toList());
        } finally {
            model.destroy();
        }
    }

    /** One block's validation ({@link Validation.Result}'s figures), or the sample that stopped it. */
    record Part(int from, double loss, double top1, double top5, int images, BadSample bad) implements Serializable {

        static Part of(int from, Validation.Result result) {
            return new Part(from, result.loss(), result.top1(), result.top5(), result.images(), null);
        }
    }

    /** Executor side: the broadcast weights, the block's samples, the evaluation view, the training module's figures. */
    private record Task(Broadcast<byte[]> model, ShippedImages images, ShippedPreset preset, long seed,
                        int batchSize, int workers) implements Function<SampleBlock, Part> {

        @Override
        public Part call(SampleBlock block) throws IOException {
            OneDnn.enable();
            ComputationGraph graph = ModelSerializer.restoreComputationGraph(new ByteArrayInputStream(model.value()),
                    false);
            List<Sample> samples = List.of();
            try {
                samples = images.samples(block);
                try (BatchLoader loader = new BatchLoader(samples, images.classNames().size(), null, preset.preset(),
                        seed, workers)) {
                    return Part.of(block.number(), Validation.run(graph, loader, batchSize));
                }
            } catch (IOException e) {
                return new Part(block.number(), Double.NaN, Double.NaN, Double.NaN, 0,
                        images.bad(block.number(), samples, e));
            }
        }
    }
}
