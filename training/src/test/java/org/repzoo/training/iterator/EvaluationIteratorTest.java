package org.repzoo.training.iterator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.datavec.api.records.Record;
import org.datavec.api.records.metadata.RecordMetaData;
import org.datavec.api.writable.NDArrayWritable;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.ImageFolder;
import org.repzoo.evaluation.data.Sample;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.engine.EvaluationOptions;
import org.repzoo.evaluation.engine.EvaluationResult;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.metrics.Accuracy;
import org.repzoo.evaluation.metrics.Ranking;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;
import org.repzoo.zoo.core.EvalPreset;

/**
 * DL4J's own evaluation ({@code graph.evaluate(iterator)}, {@link Evaluation} with top-5) of the evaluation iterator
 * counts exactly what RepZoo's engine counts under protocol {@code single} ({@code repzoo eval --protocol single}):
 * the committed image set (six images in three class folders, PNG in several colour types and a JPEG, all smaller
 * than the crop) and the evaluation tests' two tiny 7-class nets, whose posteriors the evaluation module checks
 * against PyTorch. DL4J counts a top-5 hit when fewer than five classes score strictly above the true one and takes
 * the first maximum for top-1; RepZoo breaks ties by class index and ranks NaN last, so the test first shows that no
 * decision here rests on a tie or a NaN.
 */
class EvaluationIteratorTest {

    private static final EvalPreset PRESET = EvalSet.PRESET;

    /**
     * The image set with a class file naming the nets' seven classes, the three folders first in their sorted order
     * (the labels the engine gives them without a class file): DL4J's evaluation needs one label column per output.
     */
    private static Dataset dataset(Path dir) throws IOException {
        Path classes = dir.resolve("classes.txt");
        Files.write(classes, List.of("bird", "cat", "dog", "fish", "horse", "owl", "yak"));
        return ImageFolder.open(EvalSet.imageFolder(dir), classes);
    }

    @ParameterizedTest(name = "tiny net {0}")
    @ValueSource(ints = {0, 1})
    void dl4jEvaluationOfTheIteratorCountsWhatTheSingleProtocolCounts(int net, @TempDir Path dir) throws IOException {
        Dataset dataset = dataset(dir);
        ComputationGraph graph = EvalSet.net(net);

        Map<String, double[]> ranked = new HashMap<>();
        var setup = new org.repzoo.evaluation.engine.Evaluation.Setup(
                List.of(new Member("tiny" + net, null, graph, PRESET)), dataset, Selection.all(),
                List.of(ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, PRESET)),
                EvaluationOptions.defaults().withBatchSize(4).withWorkers(2), null);
        EvaluationResult engine = org.repzoo.evaluation.engine.Evaluation.run(setup, (done, total) -> { },
                (sample, protocol, scores) -> ranked.put(sample.path(), scores.clone()));
        Accuracy repzoo = engine.results().get(0).accuracy();
        assertEquals(6, repzoo.images());
        assertEquals(0, repzoo.tieDecidedTop1() + repzoo.tieDecidedTop5() + repzoo.nanImages());

        // RepZoo's graphs output logits (the softmax is in the loss, as in PyTorch): DL4J's check that a classifier
        // outputs probabilities does not apply, and logits rank the classes as their softmax does.
        graph.getConfiguration().setValidateOutputLayerConfig(false);
        Evaluation dl4j;
        List<INDArray> logits = new ArrayList<>();
        try (ImageDataSetIterator images = RepZooIterators.evaluation(dataset, PRESET, 4, 2)) {
            assertEquals(2, images.batchesPerEpoch(), "four images, then the short batch of two");
            dl4j = graph.evaluate(images, images.getLabels(), 5);
            images.reset();
            while (images.hasNext()) {
                logits.add(graph.output(false, images.next().getFeatures())[0]);
            }
        }
        System.out.printf("tiny net %d: RepZoo single top-1 %d top-5 %d; DL4J Evaluation top-1 %d top-5 %d of %d%n",
                net, repzoo.top1Correct(), repzoo.top5Correct(),
                dl4j.truePositives().values().stream().mapToLong(Integer::longValue).sum(),
                dl4j.getTopNCorrectCount(), dl4j.getNumRowCounter());
        assertEquals(6, dl4j.getNumRowCounter());
        long top1 = dl4j.truePositives().values().stream().mapToLong(Integer::longValue).sum();
        assertEquals(repzoo.top1Correct(), top1, "top-1 hits");
        assertEquals(repzoo.top5Correct(), dl4j.getTopNCorrectCount(), "top-5 hits");
        assertEquals(6, dl4j.getTopNTotalCount());

        // The same inputs: per image, DL4J's logits are the ones the engine ranked (for one view it ranks logits),
        // and no tie decides a hit.
        List<Sample> samples = dataset.samples();
        INDArray all = org.nd4j.linalg.factory.Nd4j.vstack(logits.toArray(INDArray[]::new));
        for (int i = 0; i < samples.size(); i++) {
            double[] scores = all.getRow(i).castTo(DataType.DOUBLE).toDoubleVector();
            double[] expected = ranked.get(samples.get(i).path());
            assertEquals(expected.length, scores.length);
            for (int c = 0; c < scores.length; c++) {
                assertEquals(expected[c], scores[c], 1e-6 * Math.max(1, Math.abs(expected[c])),
                        samples.get(i).path() + " class " + c);
            }
            int label = samples.get(i).label();
            assertFalse(Ranking.tieDecides(scores, label, 1) || Ranking.tieDecides(scores, label, 5)
                    || Ranking.hasNaN(scores), samples.get(i).path());
        }
    }

    /**
     * DataVec's {@code RecordReaderDataSetIterator} over the record reader gives the iterator's batches bit for bit,
     * through the reader's batched path and one record at a time.
     */
    @Test
    void theRecordReaderGivesTheIteratorsBatches(@TempDir Path dir) throws Exception {
        Dataset dataset = dataset(dir);
        List<DataSet> expected = new ArrayList<>();
        try (ImageDataSetIterator images = RepZooIterators.evaluation(dataset, PRESET, 4, 2)) {
            images.forEachRemaining(expected::add);
        }
        try (PreparedImageRecordReader reader = RepZooIterators.evaluationRecords(dataset, PRESET, 2)) {
            RecordReaderDataSetIterator batches = new RecordReaderDataSetIterator(reader, 4, 1, 7);
            for (int epoch = 0; epoch < 2; epoch++) {
                for (DataSet want : expected) {
                    DataSet got = batches.next();
                    assertArrayEquals(want.getFeatures().shape(), got.getFeatures().shape());
                    assertArrayEquals(values(want.getFeatures()), values(got.getFeatures()));
                    assertArrayEquals(values(want.getLabels()), values(got.getLabels()));
                }
                assertFalse(batches.hasNext());
                batches.reset();
            }
            assertEquals(2, reader.epoch(), "each reset after a full pass starts the next epoch");

            reader.reset();
            List<RecordMetaData> metaData = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                Record record = reader.nextRecord();
                INDArray image = ((NDArrayWritable) record.getRecord().get(0)).get();
                assertArrayEquals(new long[] {1, 3, 64, 64}, image.shape());
                assertArrayEquals(values(expected.get(i / 4).getFeatures().slice(i % 4)), values(image));
                assertEquals(dataset.samples().get(i).label(), record.getRecord().get(1).toInt());
                metaData.add(record.getMetaData());
            }
            assertFalse(reader.hasNext());
            Record again = reader.loadFromMetaData(metaData.get(5));
            assertArrayEquals(values(expected.get(1).getFeatures().slice(1)),
                    values(((NDArrayWritable) again.getRecord().get(0)).get()));
            assertThrows(UnsupportedOperationException.class, () -> reader.initialize(null));
        }
    }

    @Test
    void aDatasetWithProblemsIsRefused(@TempDir Path dir) throws IOException {
        Path classes = dir.resolve("classes.txt");
        Files.write(classes, List.of("bird", "cat")); // dog/ is not a listed class
        Dataset dataset = ImageFolder.open(EvalSet.imageFolder(dir), classes);
        BadInputException refused = assertThrows(BadInputException.class,
                () -> RepZooIterators.evaluation(dataset, PRESET, 4, 1));
        assertTrue(refused.getMessage().contains("dog"), refused.getMessage());
    }

    /** Every value, in C order. */
    static float[] values(INDArray array) {
        return array.castTo(DataType.FLOAT).dup('c').reshape(array.length()).toFloatVector();
    }
}
