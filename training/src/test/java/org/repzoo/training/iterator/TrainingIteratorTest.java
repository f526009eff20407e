package org.repzoo.training.iterator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.repzoo.training.iterator.EvaluationIteratorTest.values;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.evaluation.classification.Evaluation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.repzoo.training.checkpoint.DataOrder;
import org.repzoo.training.data.Augmenter;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.training.data.IdxFiles;
import org.repzoo.training.data.TrainingData;
import org.repzoo.training.engine.EpochRecord;
import org.repzoo.training.engine.ModelSpec;
import org.repzoo.training.engine.Trainer;
import org.repzoo.training.engine.TrainingGraph;
import org.repzoo.training.engine.TrainingOptions;
import org.repzoo.training.recipe.Averaging;
import org.repzoo.training.recipe.LrSchedule;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeFiles;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.InputShape;

/**
 * DL4J's own loop, {@code graph.fit(iterator, epochs)} on the training iterator with the graph that
 * {@link TrainingGraph#forFit} sets up, ends with the weights of {@code repzoo train}'s {@link Trainer} for the same
 * seed, bit for bit: a tiny RepVGG (width 0.05, one block per stage, 1x12x12 input) on 40 tiny IDX images in batches
 * of 8, as the training engine's tests run it. Three recipes: RepVGG's for one epoch (the paper's: SGD momentum,
 * cosine, no decay on BatchNorm and biases, random-resized crops), the kill-resume test's for two (label smoothing,
 * an EMA, padded crops and flips), and GoogLeNet's for two on a graph with an auxiliary classifier through the
 * per-output iterator (auxiliary loss weight 0.3, Polyak averaging).
 */
class TrainingIteratorTest {

    private static final ModelSpec MODEL = new ModelSpec("repvgg_a0", InputShape.of(1, 12, 12), 0.05,
            List.of(1, 1, 1, 1), null);
    private static final EvalPreset PRESET = new EvalPreset(12, 12, EvalPreset.Interpolation.BILINEAR, List.of(0.3),
            List.of(0.3), EvalPreset.ChannelOrder.RGB, 1);
    private static final long SEED = 11;
    /** Classes the IDX images are drawn in; the IDX listing names ten, as MNIST's, and the nets output ten. */
    private static final int DRAWN = 4;

    @TempDir
    Path dir;

    /** The recipes and graphs the parity is shown for. */
    enum Run {
        REPVGG_ONE_EPOCH, EMA_TWO_EPOCHS, AUXILIARY_HEAD_TWO_EPOCHS;

        Recipe recipe() throws IOException {
            return switch (this) {
                case REPVGG_ONE_EPOCH -> Recipes.REPVGG.withBatchSize(8).withEpochs(1)
                        .withAugmentation(Recipes.REPVGG.augmentation().withCropSize(12));
                case EMA_TWO_EPOCHS -> RecipeFiles.override(Recipes.REPVGG, """
                        {"batchSize": 8, "epochs": 2, "labelSmoothing": 0.1,
                         "averaging": {"kind": "EXPONENTIAL", "decay": 0.9},
                         "augmentation": {"crop": "PAD_CROP", "cropSize": 12, "padding": 2, "flip": "HORIZONTAL"}}""");
                case AUXILIARY_HEAD_TWO_EPOCHS -> Recipes.GOOGLENET.withBatchSize(8).withEpochs(2)
                        .withAugmentation(Recipes.GOOGLENET.augmentation().withCropSize(12));
            };
        }

        ComputationGraph initialised(int classes) {
            return this == AUXILIARY_HEAD_TWO_EPOCHS ? auxiliaryNet(classes) : MODEL.init(classes, SEED);
        }
    }

    /** conv-BN-ReLU, pooled to the main classifier; an auxiliary classifier on the pooled conv output. */
    private static ComputationGraph auxiliaryNet(int classes) {
        GraphScope root = GraphScope.start("tiny", InputShape.of(1, 12, 12), SEED);
        String x = root.conv("features.0", GraphScope.INPUT, Conv.of(6, 3).padding(1).withBias());
        x = root.batchNorm("features.1", x, 1e-5);
        x = root.relu("features.2", x);
        String main = root.logits("fc", root.globalAvgPool("avgpool", x), classes, Inits.linearDefault(6));
        String auxiliary = root.logits("aux.fc", root.globalAvgPool("aux.pool", "features.0"), classes,
                Inits.linearDefault(6));
        ComputationGraph graph = new ComputationGraph(root.build(main, auxiliary));
        graph.init();
        return graph;
    }

    private TrainingData data() throws IOException {
        return TrainingData.open(IdxFiles.write(dir.resolve("data"), 40, 12, DRAWN, 5).toString());
    }

    @ParameterizedTest
    @EnumSource(Run.class)
    void fitOnTheIteratorEndsWithTheTrainersWeightsBitForBit(Run run) throws IOException {
        TrainingData data = data();
        Recipe recipe = run.recipe();
        int classes = data.train().classNames().size();

        long start = System.nanoTime();
        ComputationGraph reference;
        TrainingOptions options = TrainingOptions.in(dir.resolve("run")).withSeed(SEED).withWorkers(2);
        try (BatchLoader train = new BatchLoader(data.train(), new Augmenter(recipe.augmentation(), PRESET), PRESET,
                SEED, 2);
             BatchLoader validation = new BatchLoader(data.validation(), null, PRESET, SEED, 2)) {
            reference = new Trainer(recipe, train, validation, options, QUIET, "tiny", "idx")
                    .run(run.initialised(classes)).graph();
        }
        long trainer = System.nanoTime() - start;

        start = System.nanoTime();
        ComputationGraph initial = run.initialised(classes);
        ComputationGraph trained;
        // Three workers where the Trainer had two: a batch does not depend on the thread count.
        try (ImageDataSetIterator train = RepZooIterators.training(data.train(), recipe, PRESET, SEED, 3)) {
            assertEquals(5, train.batchesPerEpoch());
            TrainingGraph.Prepared prepared = TrainingGraph.forFit(initial, recipe, train.batchesPerEpoch(), SEED);
            ComputationGraph graph = prepared.graph();
            if (graph.getNumOutputArrays() > 1) {
                graph.fit(RepZooIterators.forOutputs(train, graph), recipe.epochs());
            } else {
                graph.fit(train, recipe.epochs());
            }
            assertEquals(recipe.epochs() - 1, train.epoch(), "fit reset the iterator before each later epoch");
            assertEquals(recipe.averaging().kind() != Averaging.Kind.NONE, prepared.average().isPresent());
            trained = prepared.finalModel();
        }
        if (trained.getNumOutputArrays() > 1) {
            // DL4J's evaluation of the per-output iterator scores the first output, the main classifier.
            trained.getConfiguration().setValidateOutputLayerConfig(false);
            try (ImageDataSetIterator validation = RepZooIterators.evaluation(data.validation(), PRESET, 16, 2)) {
                Evaluation evaluation = trained.evaluate(RepZooIterators.forOutputs(validation, trained));
                assertEquals(40, evaluation.getNumRowCounter());
                validation.reset();
                long mainHits = 0;
                while (validation.hasNext()) {
                    DataSet batch = validation.next();
                    INDArray predicted = trained.output(false, batch.getFeatures())[0].argMax(1);
                    mainHits += predicted.eq(batch.getLabels().argMax(1)).castTo(DataType.INT).sumNumber().longValue();
                }
                long hits = evaluation.truePositives().values().stream().mapToLong(Integer::longValue).sum();
                assertEquals(mainHits, hits);
            }
        }
        long dl4j = System.nanoTime() - start;
        System.out.printf("%s: Trainer %.2f s, graph.fit(iterator) %.2f s%n", run, trainer / 1e9, dl4j / 1e9);

        assertFalse(Arrays.equals(values(initial.params()), values(trained.params())), "training changed nothing");
        assertEquals(reference.getIterationCount(), trained.getIterationCount());
        assertEquals(5 * recipe.epochs(), trained.getIterationCount());
        assertEquals(reference.getEpochCount(), trained.getEpochCount());
        assertEquals(reference.params(), trained.params());
        assertArrayEquals(values(reference.params()), values(trained.params()), "bit for bit");
    }

    /**
     * The iterator's batches are the ones the Trainer builds (its {@link DataOrder} rows, loaded for the epoch), epoch
     * after epoch; a reset before a batch was taken starts nothing; DataVec's iterator over the record reader gives the
     * same batches, since 8 divides 40.
     */
    @Test
    void batchesAreTheTrainersEpochAfterEpochAndThroughDataVec() throws IOException {
        TrainingData data = data();
        Recipe recipe = Run.REPVGG_ONE_EPOCH.recipe();
        try (BatchLoader loader = new BatchLoader(data.train(), new Augmenter(recipe.augmentation(), PRESET), PRESET,
                SEED, 2);
             ImageDataSetIterator images = RepZooIterators.training(data.train(), recipe, PRESET, SEED, 1);
             GraphOutputsIterator twoHeads = new GraphOutputsIterator(
                     RepZooIterators.training(data.train(), recipe, PRESET, SEED, 2), 2);
             PreparedImageRecordReader reader = RepZooIterators.trainingRecords(data.train(), recipe, PRESET, SEED,
                     2)) {
            RecordReaderDataSetIterator dataVec = new RecordReaderDataSetIterator(reader, 8, 1,
                    data.train().classNames().size());
            images.reset();
            assertEquals(0, images.epoch(), "a reset before the first batch starts no epoch");
            for (int epoch = 0; epoch < 3; epoch++) {
                int[] order = DataOrder.permutation(SEED, epoch, 40);
                for (int b = 0; b < 5; b++) {
                    BatchLoader.Batch expected = loader.load(Arrays.copyOfRange(order, 8 * b, 8 * b + 8), epoch);
                    DataSet actual = images.next();
                    assertArrayEquals(values(expected.features()), values(actual.getFeatures()), epoch + "/" + b);
                    assertArrayEquals(values(expected.labels()), values(actual.getLabels()), epoch + "/" + b);
                    DataSet viaDataVec = dataVec.next();
                    assertArrayEquals(values(expected.features()), values(viaDataVec.getFeatures()));
                    assertArrayEquals(values(expected.labels()), values(viaDataVec.getLabels()));
                    MultiDataSet heads = twoHeads.next();
                    assertEquals(2, heads.getLabels().length);
                    assertArrayEquals(values(expected.labels()), values(heads.getLabels(1)));
                    assertArrayEquals(values(expected.features()), values(heads.getFeatures(0)));
                }
                assertFalse(images.hasNext());
                assertFalse(dataVec.hasNext());
                assertThrows(java.util.NoSuchElementException.class, images::next);
                images.reset();
                dataVec.reset();
                twoHeads.reset();
                assertEquals(epoch + 1, images.epoch());
            }
            images.setEpoch(1);
            BatchLoader.Batch again = loader.load(Arrays.copyOfRange(DataOrder.permutation(SEED, 1, 40), 0, 8), 1);
            assertArrayEquals(values(again.features()), values(images.next().getFeatures()));
        }
    }

    @Test
    void aPartialLastBatchIsDroppedAndAPlateauRecipeIsRefused() throws IOException {
        TrainingData data = data();
        Recipe recipe = Run.REPVGG_ONE_EPOCH.recipe().withBatchSize(16);
        try (ImageDataSetIterator images = RepZooIterators.training(data.train(), recipe, PRESET, SEED, 2)) {
            assertEquals(2, images.batchesPerEpoch(), "40 images: two batches of 16, the last 8 dropped");
            int batches = 0;
            while (images.hasNext()) {
                assertEquals(16, images.next().getFeatures().size(0));
                batches++;
            }
            assertEquals(2, batches);
            assertThrows(UnsupportedOperationException.class, () -> images.next(8));
        }
        Recipe plateau = recipe.withSchedule(LrSchedule.plateau(0.1, 1));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                () -> TrainingGraph.forFit(MODEL.init(10, SEED), plateau, 2, SEED));
        assertTrue(refused.getMessage().contains("PLATEAU"), refused.getMessage());
    }

    private static final Trainer.Progress QUIET = new Trainer.Progress() {
        @Override
        public void epochStarted(int epoch, int epochs, int batchInEpoch, int batchesPerEpoch) {
        }

        @Override
        public void iterationDone(long iteration, double loss, double learningRate, double imagesPerSecond) {
        }

        @Override
        public void epochDone(EpochRecord record) {
        }

        @Override
        public void note(String line) {
        }
    };
}
