package org.repzoo.spark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.util.LongAccumulator;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.data.SubsetDataset;
import org.repzoo.evaluation.engine.Evaluation;
import org.repzoo.evaluation.engine.EvaluationOptions;
import org.repzoo.evaluation.engine.EvaluationResult;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.protocol.Protocol;

/**
 * Executor side of a Spark evaluation: one task evaluates its partition's images, which the driver sent as a block of
 * paths and labels (or IDX image numbers, {@link SampleBlock}), with the single-machine engine ({@link Evaluation}:
 * decoding, cropping and batching on the executor) and sends back the counts.
 *
 * <p>Bad inputs are always counted and listed here, never thrown: a corrupt file fails the same way on every retry,
 * so the driver applies the stop-or-skip policy to the merged list, where it can name the first bad file in dataset
 * order, as a single-machine run does.
 */
final class EvaluationTask implements Function2<Integer, Iterator<SampleBlock>, Iterator<PartitionResult>> {

    private static final long serialVersionUID = 1L;

    private final ShippedImages images;
    private final ArrayList<ShippedModel> models;
    private final ArrayList<Protocol> protocols;
    private final int batchSize;
    private final int workers;
    private final EvaluationOptions.SmallImages smallImages;
    private final boolean predictions;
    private final LongAccumulator progress;

    /** {@code progress} counts the images evaluated, for {@link SparkWatchdog}. */
    EvaluationTask(ShippedImages images, List<ShippedModel> models, List<Protocol> protocols,
                   EvaluationOptions options, boolean predictions, LongAccumulator progress) {
        this.images = images;
        this.models = new ArrayList<>(models);
        this.protocols = new ArrayList<>(protocols);
        this.batchSize = options.batchSize();
        this.workers = options.workers();
        this.smallImages = options.smallImages();
        this.predictions = predictions;
        this.progress = progress;
    }

    @Override
    public Iterator<PartitionResult> call(Integer partition, Iterator<SampleBlock> blocks) throws IOException {
        List<Sample> samples = new ArrayList<>();
        Dataset whole = null;
        while (blocks.hasNext()) {
            whole = images.dataset(blocks.next());
            samples.addAll(whole.samples());
        }
        if (whole == null) {
            return List.<PartitionResult>of().iterator();
        }
        Dataset dataset = new SubsetDataset(whole, samples, List.of());
        EvaluationOptions options = EvaluationOptions.defaults().withBatchSize(batchSize).withWorkers(workers)
                .with(EvaluationOptions.BadInputs.SKIP).with(smallImages);
        List<Member> members = ExecutorCache.borrow(models);
        Path csv = predictions ? Files.createTempFile("repzoo-spark-predictions", ".csv") : null;
        try {
            EvaluationResult result = Evaluation.run(new Evaluation.Setup(members, dataset, Selection.all(),
                    protocols, options, csv), (done, total) -> progress.add(1));
            // Only a task that finished cleanly returns its models: an interrupted one (a killed attempt) may have
            // left a graph mid-pass.
            ExecutorCache.giveBack(models, members);
            List<String> lines = csv == null ? List.of() : Files.readAllLines(csv);
            return List.of(PartitionResult.of(partition, result, lines.isEmpty() ? lines
                    : lines.subList(1, lines.size()))).iterator();
        } finally {
            if (csv != null) {
                Files.deleteIfExists(csv);
            }
        }
    }
}
