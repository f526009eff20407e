package org.repzoo.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.training.average.WeightAverage;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.RecipeFiles;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.training.recipe.TinyGraphs;
import org.repzoo.training.recipe.TinyGraphs.AuxHead;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.ModelFiles;

/**
 * The promise that no work is lost: a run stopped after k iterations, restored from its checkpoint into a fresh
 * graph (with ND4J's generator scrambled in between, as in a new process) and continued, ends with exactly the weights,
 * momentum and weight average of a run never stopped. The tiny net has BatchNorm (running statistics), dropout (random
 * masks), label smoothing, warm-up into cosine and an EMA, so every piece of state matters.
 */
class ResumeTest {

    private static final long SEED = 2024;
    private static final int EXAMPLES = 24;
    private static final int BATCH = 4;
    private static final int EPOCHS = 2;
    private static final int BATCHES = EXAMPLES / BATCH;
    private static final INDArray FEATURES;
    private static final INDArray LABELS;

    static {
        Nd4j.getRandom().setSeed(99);
        FEATURES = Nd4j.rand(DataType.FLOAT, EXAMPLES, 2 * 6 * 6);
        LABELS = Nd4j.zeros(DataType.FLOAT, EXAMPLES, 3);
        for (int i = 0; i < EXAMPLES; i++) {
            LABELS.putScalar(i, (i * 7) % 3, 1);
        }
    }

    @TempDir
    Path dir;

    /**
     * RepVGG's recipe with warm-up into cosine (iteration counter), label smoothing and an EMA; Inception v3's with
     * TensorFlow RMSProp (two state arrays), clipping, and its step decay shortened to every epoch so the restored
     * epoch counter matters.
     */
    private static Recipe recipe(String base) throws Exception {
        return switch (base) {
            case "repvgg" -> RecipeFiles.override(Recipes.REPVGG, """
                    {"batchSize": 4, "epochs": 2, "warmupEpochs": 1, "labelSmoothing": 0.1,
                     "averaging": {"kind": "EXPONENTIAL", "decay": 0.9}}""");
            case "inception_v3" -> RecipeFiles.override(Recipes.INCEPTION_V3, """
                    {"batchSize": 4, "epochs": 2, "schedule": {"stepEpochs": 1},
                     "averaging": {"kind": "UNIFORM"}}""");
            default -> throw new IllegalArgumentException(base);
        };
    }

    static Stream<Arguments> interruptions() {
        return Stream.of(Arguments.of("repvgg", 1), Arguments.of("repvgg", 6), Arguments.of("repvgg", 9),
                Arguments.of("inception_v3", 9));
    }

    private static ComputationGraphConfiguration network() {
        GraphScope root = GraphScope.start("resume", InputShape.of(2, 6, 6), 3);
        String x = root.conv("features.0", GraphScope.INPUT, Conv.of(4, 3).padding(1));
        x = root.batchNorm("features.1", x, 1e-5);
        x = root.relu("features.2", x);
        x = root.globalAvgPool("avgpool", x);
        x = root.dropout("dropout", x, 0.3);
        return root.build(root.logits("fc", x, 3, Inits.linearDefault(4)));
    }

    private static ComputationGraph freshGraph(Recipe recipe) {
        ComputationGraph plain = new ComputationGraph(network());
        plain.init();
        return RecipeApplier.apply(plain, recipe, BATCHES);
    }

    /** Mutable position of a test run (the engine that will own this loop is not written yet). */
    private static final class Run {
        final Recipe recipe;
        final ComputationGraph graph;
        final Optional<WeightAverage> average;
        int epoch;
        int batchInEpoch;
        long iteration;
        int[] order;

        Run(Recipe recipe, ComputationGraph graph, Optional<WeightAverage> average) {
            this.recipe = recipe;
            this.graph = graph;
            this.average = average;
        }

        Run(TrainingCheckpoints.Resumed resumed) {
            this(resumed.state().recipe(), resumed.graph(), resumed.average());
            TrainingState state = resumed.state();
            epoch = state.epoch();
            batchInEpoch = state.batchInEpoch();
            iteration = state.iteration();
            order = state.dataOrder();
        }
    }

    /** Trains to the end, or stops before iteration {@code stopAfter} of this call and writes a checkpoint. */
    private static void train(Run run, int stopAfter, Path checkpoint) throws Exception {
        int done = 0;
        while (run.epoch < EPOCHS) {
            if (run.batchInEpoch == 0) {
                run.order = DataOrder.permutation(SEED, run.epoch, EXAMPLES);
            }
            for (int b = run.batchInEpoch; b < BATCHES; b++) {
                if (done == stopAfter) {
                    TrainingState state = TrainingCheckpoints.capture(run.recipe, run.epoch, run.batchInEpoch,
                            run.iteration, SEED, run.order, run.average, Optional.empty());
                    TrainingCheckpoints.save(checkpoint, run.graph, state, run.average);
                    return;
                }
                int[] rows = Arrays.copyOfRange(run.order, b * BATCH, (b + 1) * BATCH);
                INDArray x = Nd4j.pullRows(FEATURES, 1, rows).reshape(BATCH, 2, 6, 6);
                INDArray y = Nd4j.pullRows(LABELS, 1, rows);
                run.graph.fit(new INDArray[] {x}, new INDArray[] {y});
                run.average.ifPresent(average -> average.update(run.graph));
                run.iteration++;
                run.batchInEpoch = b + 1;
                done++;
            }
            run.graph.incrementEpochCount();
            run.epoch++;
            run.batchInEpoch = 0;
        }
    }

    private static Run uninterrupted(Recipe recipe) throws Exception {
        ComputationGraph graph = freshGraph(recipe);
        Nd4j.getRandom().setSeed(SEED);
        Run run = new Run(recipe, graph, recipe.averaging().create());
        train(run, Integer.MAX_VALUE, null);
        return run;
    }

    @ParameterizedTest(name = "{0} stopped after {1} iterations")
    @MethodSource("interruptions")
    void resumedRunEndsWithTheUninterruptedWeights(String base, int stopAfter) throws Exception {
        Recipe recipe = recipe(base);
        Run reference = uninterrupted(recipe);
        assertEquals(EPOCHS * BATCHES, reference.graph.getIterationCount());
        double moved = reference.graph.params().sub(freshGraph(recipe).params()).norm2Number().doubleValue();
        assertTrue(moved > 1e-2, "training must move the weights for the comparison to mean anything: " + moved);

        Path checkpoint = dir.resolve("checkpoint.zip");
        ComputationGraph graph = freshGraph(recipe);
        Nd4j.getRandom().setSeed(SEED);
        train(new Run(recipe, graph, recipe.averaging().create()), stopAfter, checkpoint);

        Nd4j.getRandom().setSeed(-1); // what a new process would have
        TrainingCheckpoints.Resumed resumed = TrainingCheckpoints.load(checkpoint, network());
        assertEquals(stopAfter, resumed.state().iteration());
        assertEquals(recipe, resumed.state().recipe());
        assertEquals(stopAfter, resumed.graph().getIterationCount());
        Run continued = new Run(resumed);
        train(continued, Integer.MAX_VALUE, null);

        assertArrayEquals(reference.graph.params().toFloatVector(), continued.graph.params().toFloatVector());
        assertArrayEquals(reference.graph.getUpdater().getStateViewArray().toFloatVector(),
                continued.graph.getUpdater().getStateViewArray().toFloatVector());
        assertArrayEquals(reference.average.orElseThrow().shadow().toFloatVector(),
                continued.average.orElseThrow().shadow().toFloatVector());
        assertEquals(reference.graph.getIterationCount(), continued.graph.getIterationCount());
        assertEquals(reference.graph.getEpochCount(), continued.graph.getEpochCount());
    }

    /** Guards the test itself: an unrestored generator (dropout masks) must make the runs differ. */
    @Test
    void withoutTheRandomStateTheRunsWouldDiffer() throws Exception {
        Recipe recipe = recipe("repvgg");
        Run reference = uninterrupted(recipe);
        ComputationGraph graph = freshGraph(recipe);
        Nd4j.getRandom().setSeed(SEED + 1);
        Run other = new Run(recipe, graph, recipe.averaging().create());
        train(other, Integer.MAX_VALUE, null);
        assertTrue(!Arrays.equals(reference.graph.params().toFloatVector(), other.graph.params().toFloatVector()));
    }

    @Test
    void dataOrderIsAPermutationFixedBySeedAndEpoch() {
        int[] order = DataOrder.permutation(SEED, 3, 100);
        assertArrayEquals(order, DataOrder.permutation(SEED, 3, 100));
        int[] sorted = order.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 100; i++) {
            assertEquals(i, sorted[i]);
        }
        assertTrue(!Arrays.equals(order, DataOrder.permutation(SEED, 4, 100)));
        assertTrue(!Arrays.equals(order, DataOrder.permutation(SEED + 1, 3, 100)));
    }

    private Path savedCheckpoint() throws Exception {
        Path checkpoint = dir.resolve("good.zip");
        Recipe recipe = recipe("repvgg");
        train(new Run(recipe, freshGraph(recipe), Optional.empty()), 2, checkpoint);
        return checkpoint;
    }

    private static void assertRefused(Path file, String expected) {
        TrainingCheckpointException e = assertThrows(TrainingCheckpointException.class,
                () -> TrainingCheckpoints.load(file, network()));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void truncatedCheckpointIsRefusedNamingTheFile() throws Exception {
        byte[] bytes = Files.readAllBytes(savedCheckpoint());
        Path truncated = dir.resolve("truncated.zip");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertRefused(truncated, "corrupt");
    }

    @Test
    void garbageAndMissingFilesAreRefused() throws Exception {
        Path garbage = dir.resolve("garbage.zip");
        Files.writeString(garbage, "this is not a zip");
        assertRefused(garbage, "corrupt");
        assertRefused(dir.resolve("absent.zip"), "no such file");
    }

    @Test
    void aModelFileIsNotACheckpoint() throws Exception {
        Path model = dir.resolve("model.zip");
        ModelFiles.save(freshGraph(recipe("repvgg")), model, Map.of());
        assertRefused(model, "not a RepZoo training checkpoint");
    }

    @Test
    void aCheckpointOfAnotherNetworkIsRefused() throws Exception {
        Path checkpoint = savedCheckpoint();
        TrainingCheckpointException e = assertThrows(TrainingCheckpointException.class,
                () -> TrainingCheckpoints.load(checkpoint, TinyGraphs.convBnFc(3, AuxHead.NONE)));
        assertTrue(e.getMessage().startsWith(checkpoint.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("another network"), e.getMessage());
    }

    @Test
    void savingReplacesTheCheckpointAtomically() throws Exception {
        Path checkpoint = savedCheckpoint();
        Recipe recipe = recipe("repvgg");
        train(new Run(recipe, freshGraph(recipe), Optional.empty()), 3, checkpoint);
        assertEquals(3, TrainingCheckpoints.load(checkpoint, network()).state().iteration());
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file left beside the checkpoint");
        }
    }
}
