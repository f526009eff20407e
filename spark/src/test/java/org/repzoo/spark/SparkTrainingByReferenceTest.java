package org.repzoo.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.dataset.api.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.IdxDataset;
import org.repzoo.evaluation.data.ImageFolder;
import org.repzoo.training.batch.OutputBatches;
import org.repzoo.training.checkpoint.DataOrder;
import org.repzoo.training.checkpoint.TrainingCheckpoints;
import org.repzoo.training.data.Augmenter;
import org.repzoo.training.data.BatchLoader;
import org.repzoo.training.engine.Validation;
import org.repzoo.training.recipe.Augmentation;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.zoo.core.EvalPreset;

/**
 * Training by reference in local[2]: executors read, augment and batch their share from the sample lists the driver
 * ships. Against the driver building the same minibatches (the path before by-reference training, kept as
 * {@code Epoch.inMemory}): the same weights and updater state bit for bit, for an image-folder tree and an IDX file;
 * a run resumed from its epoch checkpoint ends as a straight one; the executors' validation equals the driver's;
 * and a sample an executor cannot read stops the run with its path, in both training modes.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class SparkTrainingByReferenceTest {

    /** The net's 8x8 input, from images resized to 10 (folders) or 12x12 IDX images. */
    private static final EvalPreset PRESET = new EvalPreset(10, 8, EvalPreset.Interpolation.BILINEAR,
            List.of(0.5, 0.5, 0.5), List.of(0.25, 0.25, 0.25), EvalPreset.ChannelOrder.RGB, 1);
    private static final int BATCH = TinyTraining.BATCH;

    @TempDir
    static Path temp;
    private static JavaSparkContext spark;
    private static Dataset folders;
    private static Dataset idx;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkContexts.start("repzoo-by-reference-test", "local[2]");
        folders = ImageFolder.open(TestImages.create(temp.resolve("folders"), 12), null);
        idx = IdxDataset.open(TestImages.idx(temp.resolve("idx"), 60), "train");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Augmentation augmentation(Recipe recipe) {
        return recipe.augmentation().withCropSize(PRESET.cropSize());
    }

    private static ReferenceData byReference(Dataset data, Recipe recipe) {
        return new ReferenceData(spark, data, ShippedPreset.of(PRESET), augmentation(recipe), BATCH, TinyTraining.SEED,
                1, 2, 2);
    }

    /** The minibatches as the driver built them before training went by reference (SparkTrainingRun, 86b24ec). */
    private static SparkTraining.EpochData onTheDriver(Dataset data, Recipe recipe, ComputationGraph graph) {
        return epoch -> {
            int[] order = DataOrder.permutation(TinyTraining.SEED, epoch, data.samples().size());
            List<MultiDataSet> batches = new ArrayList<>();
            try (BatchLoader loader = new BatchLoader(data, new Augmenter(augmentation(recipe), PRESET), PRESET,
                    TinyTraining.SEED, 1)) {
                for (int b = 0; b + BATCH <= order.length; b += BATCH) {
                    BatchLoader.Batch batch = loader.load(Arrays.copyOfRange(order, b, b + BATCH), epoch);
                    batches.add(OutputBatches.of(graph, batch.features(), batch.labels()));
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return SparkTraining.Epoch.inMemory(spark.parallelize(batches, 2), batches.size());
        };
    }

    private static SparkTraining.Settings settings(SparkTraining.Mode mode) {
        return SparkTraining.Settings.of(mode, BATCH, TinyTraining.SEED).withAveragingFrequency(2)
                .withSharing(40131, 1e-3);
    }

    private static Dataset data(String kind) {
        return kind.equals("folders") ? folders : idx;
    }

    @ParameterizedTest
    @ValueSource(strings = {"folders", "idx"})
    void executorsBuildTheMinibatchesTheDriverBuilt(String kind) throws IOException {
        Recipe recipe = TinyTraining.recipe(2);
        ComputationGraph start = TinyTraining.net(recipe);
        ComputationGraph driver = SparkTraining.fit(spark, start.clone(), onTheDriver(data(kind), recipe, start),
                settings(SparkTraining.Mode.AVERAGING), 0, 2, (graph, epoch, loss) -> { });
        ComputationGraph executors = SparkTraining.fit(spark, start.clone(), byReference(data(kind), recipe),
                settings(SparkTraining.Mode.AVERAGING), 0, 2, (graph, epoch, loss) -> { });
        assertNotEquals(start.params(), executors.params());
        assertEquals(driver.params(), executors.params(), "the same weights, bit for bit");
        assertEquals(driver.getUpdater().getStateViewArray(), executors.getUpdater().getStateViewArray());
    }

    /**
     * Averaging every minibatch: 5 minibatches in periods of 2 (one per worker) make 2 periods, which the driver splits
     * by reference as DL4J splits in-memory minibatches (each period parallelized on its own).
     */
    @Test
    void periodsSplitOnTheDriverAreDl4jsPeriods() throws IOException {
        Recipe recipe = TinyTraining.recipe(1);
        ComputationGraph start = TinyTraining.net(recipe);
        SparkTraining.Settings everyMinibatch = settings(SparkTraining.Mode.AVERAGING).withAveragingFrequency(1);
        assertEquals(5, byReference(folders, recipe).blocks(0).size());
        ComputationGraph driver = SparkTraining.fit(spark, start.clone(), onTheDriver(folders, recipe, start),
                everyMinibatch, 0, 1, (graph, epoch, loss) -> { });
        ComputationGraph executors = SparkTraining.fit(spark, start.clone(), byReference(folders, recipe),
                everyMinibatch, 0, 1, (graph, epoch, loss) -> { });
        assertEquals(driver.params(), executors.params(), "the same weights, bit for bit");
        assertEquals(driver.getUpdater().getStateViewArray(), executors.getUpdater().getStateViewArray());
    }

    @Test
    void aResumedRunEndsWithTheWeightsOfARunNeverStopped() throws IOException {
        Recipe recipe = TinyTraining.recipe(3);
        ComputationGraph start = TinyTraining.net(recipe);
        ComputationGraph straight = SparkTraining.fit(spark, start.clone(), byReference(folders, recipe),
                settings(SparkTraining.Mode.AVERAGING), 0, 3, (g, e, l) -> { });
        Path checkpoint = temp.resolve("resume.ckpt");
        int batches = folders.samples().size() / BATCH;
        SparkTraining.fit(spark, start.clone(), byReference(folders, recipe), settings(SparkTraining.Mode.AVERAGING),
                0, 1, SparkTraining.checkpointEachEpoch(checkpoint, recipe, TinyTraining.SEED, batches));
        Nd4j.getRandom().setSeed(12345); // as in a new process
        TrainingCheckpoints.Resumed resumed = TrainingCheckpoints.load(checkpoint, start.getConfiguration());
        assertEquals(1, resumed.state().epoch());
        ComputationGraph continued = SparkTraining.fit(spark, resumed.graph(), byReference(folders, recipe),
                settings(SparkTraining.Mode.AVERAGING), resumed.state().epoch(), 3, (g, e, l) -> { });
        assertEquals(straight.params(), continued.params());
    }

    @Test
    void executorsValidateAsTheDriverDoes() throws IOException {
        ComputationGraph graph = TinyTraining.net(TinyTraining.recipe(1));
        for (Dataset data : List.of(folders, idx)) {
            Validation.Result expected;
            try (BatchLoader loader = new BatchLoader(data, null, PRESET, TinyTraining.SEED, 1)) {
                expected = Validation.run(graph, loader, 5);
            }
            Validation.Result actual = SparkValidation.run(spark, graph, data, ShippedImages.of(data),
                    ShippedPreset.of(PRESET), TinyTraining.SEED, 5, 1, 3);
            assertEquals(expected.images(), actual.images());
            assertEquals(expected.top1(), actual.top1());
            assertEquals(expected.top5(), actual.top5());
            assertEquals(expected.loss(), actual.loss(), 1e-9);
        }
    }

    /**
     * A corrupt image, and a file listed by the driver but missing where the executor reads it: the run stops with
     * the path (the first bad one in the epoch's order) and the executor, before the epoch ends, in both modes
     * (gradient sharing reads the partition on a thread of DL4J's, which must not be left waiting).
     */
    @ParameterizedTest
    @EnumSource(SparkTraining.Mode.class)
    void anUnreadableSampleStopsTheRunWithItsPath(SparkTraining.Mode mode) throws IOException {
        Path root = TestImages.create(temp.resolve("bad-" + mode), 6);
        Path corrupt = root.resolve("dog/g03.png");
        byte[] png = Files.readAllBytes(corrupt);
        Files.write(corrupt, Arrays.copyOf(png, png.length / 2));
        Path missing = root.resolve("cat/g01.png");
        Dataset listed = ImageFolder.open(root, null);
        Files.delete(missing);
        Recipe recipe = TinyTraining.recipe(2);
        ComputationGraph start = TinyTraining.net(recipe);
        List<Integer> epochsDone = new ArrayList<>();
        BadInputException error = assertThrows(BadInputException.class, () -> SparkTraining.fit(spark, start,
                byReference(listed, recipe), settings(mode), 0, 2, (g, epoch, loss) -> epochsDone.add(epoch)));
        assertEquals(List.of(), epochsDone, "no epoch ends, so no checkpoint is written");
        List<String> order = new ArrayList<>();
        for (int index : DataOrder.permutation(TinyTraining.SEED, 0, listed.samples().size())) {
            order.add(listed.samples().get(index).path());
        }
        String first = order.indexOf(corrupt.toString()) < order.indexOf(missing.toString()) ? corrupt.toString()
                : missing.toString();
        if (mode == SparkTraining.Mode.AVERAGING) {
            // Averaging stops after the first period that met a bad sample: the first bad one in that period.
            assertTrue(error.input().path().equals(corrupt.toString())
                    || error.input().path().equals(missing.toString()), error.getMessage());
        } else {
            assertEquals(first, error.input().path(), error.getMessage());
        }
        assertTrue(error.getMessage().startsWith(error.input().path() + (error.input().path().equals(
                missing.toString()) ? ": no such file" : ": cannot decode PNG")), error.getMessage());
        assertTrue(error.getMessage().endsWith("(read on executor driver (" + spark.sc().env().blockManager()
                .blockManagerId().host() + "))"), error.getMessage());
    }

    @Test
    void aValidationFileMissingOnAnExecutorIsReportedWithItsPath() throws IOException {
        Path root = TestImages.create(temp.resolve("bad-validation"), 2);
        Dataset listed = ImageFolder.open(root, null);
        Path missing = root.resolve("bird/g01.png");
        Files.delete(missing);
        ComputationGraph graph = TinyTraining.net(TinyTraining.recipe(1));
        BadInputException error = assertThrows(BadInputException.class, () -> SparkValidation.run(spark, graph,
                listed, ShippedImages.of(listed), ShippedPreset.of(PRESET), TinyTraining.SEED, 4, 1, 2));
        assertEquals(missing.toString(), error.input().path());
        assertTrue(error.getMessage().startsWith(missing + ": no such file (read on executor "), error.getMessage());
    }
}
