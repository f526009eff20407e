package org.repzoo.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.TaskKilled;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.deploy.Engine;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.evaluation.data.BadInputException;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Datasets;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.engine.Evaluation;
import org.repzoo.evaluation.engine.EvaluationOptions;
import org.repzoo.evaluation.engine.EvaluationResult;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.engine.Report;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;

/**
 * Spark evaluation in local[2] against the single-JVM engine on the same setup: the same report (every protocol's
 * counts and per-class figures, bad inputs, predictions file), whatever the partitioning, with a task killed and
 * retried, and the same one-line error for a corrupt image inside a partition.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SparkEvaluationTest {

    @TempDir
    static Path temp;
    private static JavaSparkContext spark;
    private static Path images;
    private static Path modelFile;
    private static Member member;

    @BeforeAll
    static void start() throws IOException {
        spark = SparkContexts.start("repzoo-test", "local[2]");
        images = TestImages.create(temp, 6);
        modelFile = EvalSet.saveNet(0, temp);
        // The zip has no provenance; the fixture's small preset keeps the protocols' views small.
        member = Member.load(modelFile, note -> { }).withPreset(EvalSet.PRESET);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static List<Protocol> allProtocols() {
        return Arrays.stream(ProtocolName.values())
                .map(name -> ProtocolSettings.defaults().protocol(name, EvalSet.PRESET)).toList();
    }

    private static Datasets.Source source(Path root) {
        return new Datasets.Source(root, null, null, null, "test");
    }

    private static Evaluation.Setup setup(Path root, List<Protocol> protocols, EvaluationOptions options,
                                          Path predictions) throws IOException {
        Dataset dataset = Datasets.open(source(root));
        return new Evaluation.Setup(List.of(member), dataset, Selection.all(), protocols, options, predictions);
    }

    private static EvaluationResult onSpark(Evaluation.Setup setup, Path root, int partitions) throws IOException {
        return SparkEvaluation.run(spark, setup, new SparkEvaluation.Inputs(List.of(modelFile),
                partitions), (done, total) -> { });
    }

    /** The report without what differs between any two runs: the creation time and the timings. */
    private static JsonNode comparable(Evaluation.Setup setup, EvaluationResult result) {
        ObjectNode report = Report.of(setup, result);
        report.remove("created");
        report.remove("timings");
        return report;
    }

    @Test
    void everyProtocolGivesTheSingleJvmReport() throws IOException {
        List<Protocol> protocols = allProtocols();
        EvaluationOptions options = EvaluationOptions.defaults().withBatchSize(7).withWorkers(1);
        Path single = temp.resolve("single.csv");
        Evaluation.Setup setup = setup(images, protocols, options, single);
        EvaluationResult expected = Evaluation.run(setup, (done, total) -> { });
        assertEquals(24, expected.images());

        Path distributed = temp.resolve("spark.csv");
        Evaluation.Setup sparkSetup = setup(images, protocols, options, distributed);
        AtomicLong progress = new AtomicLong();
        EvaluationResult actual = SparkEvaluation.run(spark, sparkSetup, new SparkEvaluation.Inputs(
                List.of(modelFile), 5), (done, total) -> progress.set(done));

        JsonNode report = comparable(setup, expected);
        assertEquals(report, comparable(sparkSetup, actual));
        for (int p = 0; p < protocols.size(); p++) {
            JsonNode protocol = report.get("protocols").get(p);
            assertEquals(protocols.get(p).name(), protocol.get("protocol").asText());
            assertEquals(24, protocol.get("images").asInt());
            assertEquals(3, protocol.get("per_class").size());
        }
        // Not a vacuous comparison: the tiny net gets some images right and some wrong.
        long top1 = report.get("counts").get("top1_correct").asLong();
        assertTrue(top1 > 0 && top1 < 24, top1 + " of 24");
        assertEquals(Files.readAllLines(single), Files.readAllLines(distributed));
        assertEquals(24, progress.get());
    }

    /**
     * The other two dataset kinds: an IDX file (executors read its images by number) and the ILSVRC-2012 validation
     * layout (a flat folder and a ground-truth file, which the executors never open: they get paths and labels).
     */
    @Test
    void idxFilesAndTheIlsvrcLayoutGiveTheSingleJvmReport() throws IOException {
        List<Protocol> protocols = List.of(ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, EvalSet.PRESET),
                ProtocolSettings.defaults().protocol(ProtocolName.TEN_CROP, EvalSet.PRESET));
        Path idxFolder = TestImages.idx(temp.resolve("idx"), 30);
        Path val = TestImages.ilsvrc(images, temp.resolve("ilsvrc"));
        List<Datasets.Source> sources = List.of(new Datasets.Source(idxFolder, null, null, null, "train"),
                new Datasets.Source(val, temp.resolve("ilsvrc/labels.txt"), null, null, null));
        for (Datasets.Source source : sources) {
            Path single = temp.resolve("single-" + source.data().getFileName() + ".csv");
            Path distributed = temp.resolve("spark-" + source.data().getFileName() + ".csv");
            Evaluation.Setup setup = new Evaluation.Setup(List.of(member), Datasets.open(source), Selection.all(),
                    protocols, EvaluationOptions.defaults(), single);
            Evaluation.Setup sparkSetup = new Evaluation.Setup(List.of(member), Datasets.open(source),
                    Selection.all(), protocols, EvaluationOptions.defaults(), distributed);
            JsonNode expected = comparable(setup, Evaluation.run(setup, (done, total) -> { }));
            assertEquals(expected, comparable(sparkSetup, onSpark(sparkSetup, source.data(), 4)), source.toString());
            assertEquals(Files.readAllLines(single), Files.readAllLines(distributed));
        }
    }

    /** A file the driver listed but an executor cannot find: the single JVM's line, or counted with skipping. */
    @Test
    void aFileMissingOnAnExecutorIsReportedWithItsPath() throws IOException {
        Path root = TestImages.create(temp.resolve("missing"), 6);
        List<Protocol> protocols = List.of(ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, EvalSet.PRESET));
        Evaluation.Setup setup = setup(root, protocols, EvaluationOptions.defaults(), null);
        Evaluation.Setup skip = setup(root, protocols, EvaluationOptions.defaults()
                .with(EvaluationOptions.BadInputs.SKIP), null);
        Path missing = root.resolve("cat/g02.png");
        Files.delete(missing);
        BadInputException distributed = assertThrows(BadInputException.class, () -> onSpark(setup, root, 4));
        assertEquals(missing.toString(), distributed.input().path());
        assertEquals(assertThrows(BadInputException.class, () -> Evaluation.run(setup, (done, total) -> { }))
                .getMessage(), distributed.getMessage());
        assertEquals(missing + ": no such file", distributed.getMessage());
        JsonNode report = comparable(skip, onSpark(skip, root, 4));
        assertEquals(comparable(skip, Evaluation.run(skip, (done, total) -> { })), report);
        assertEquals(1, report.get("bad_input_count").asInt());
    }

    @Test
    void onnxRuntimeOnTheExecutorsGivesTheSingleJvmDl4jReport() throws IOException {
        List<Protocol> protocols = List.of(ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, EvalSet.PRESET),
                ProtocolSettings.defaults().protocol(ProtocolName.TEN_CROP, EvalSet.PRESET),
                ProtocolSettings.defaults().protocol(ProtocolName.DENSE, EvalSet.PRESET));
        Path single = temp.resolve("single-dl4j.csv");
        Evaluation.Setup setup = setup(images, protocols, EvaluationOptions.defaults(), single);
        JsonNode expected = comparable(setup, Evaluation.run(setup, (done, total) -> { }));
        Path distributed = temp.resolve("spark-onnxruntime.csv");
        Evaluation.Setup sparkSetup = setup(images, protocols, EvaluationOptions.defaults(), distributed);
        EvaluationResult actual = SparkEvaluation.run(spark, sparkSetup, new SparkEvaluation.Inputs(
                List.of(modelFile), 3, SparkWatchdog.DEFAULT_STALL_TIMEOUT,
                InferenceModels.Options.defaults().withEngine(Engine.ONNXRUNTIME).withThreads(1)), (d, t) -> { });
        JsonNode report = comparable(sparkSetup, actual);
        assertEquals(expected.get("protocols"), report.get("protocols"));
        assertEquals(Files.readAllLines(single), Files.readAllLines(distributed));
    }

    @Test
    void anEnsembleGivesTheSingleJvmReport() throws IOException {
        Path secondFile = EvalSet.saveNet(1, temp);
        Member second = Member.load(secondFile, note -> { }).withPreset(EvalSet.PRESET);
        List<Protocol> protocols = List.of(ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, EvalSet.PRESET),
                ProtocolSettings.defaults().protocol(ProtocolName.DENSE, EvalSet.PRESET));
        Evaluation.Setup setup = new Evaluation.Setup(List.of(member, second), Datasets.open(source(images)),
                Selection.all(), protocols, EvaluationOptions.defaults(), null);
        JsonNode expected = comparable(setup, Evaluation.run(setup, (done, total) -> { }));
        EvaluationResult actual = SparkEvaluation.run(spark, setup, new SparkEvaluation.Inputs(
                List.of(modelFile, secondFile), 3), (done, total) -> { });
        assertEquals(expected, comparable(setup, actual));
        assertEquals(2, expected.get("models").size());
    }

    @Test
    void partitioningChangesNothing() throws IOException {
        List<Protocol> protocols = List.of(ProtocolSettings.defaults().protocol(ProtocolName.TEN_CROP,
                EvalSet.PRESET), ProtocolSettings.defaults().protocol(ProtocolName.DENSE, EvalSet.PRESET));
        Evaluation.Setup setup = setup(images, protocols, EvaluationOptions.defaults(), null);
        JsonNode one = comparable(setup, onSpark(setup, images, 1));
        for (int partitions : new int[] {2, 7, 24}) {
            assertEquals(one, comparable(setup, onSpark(setup, images, partitions)), partitions + " partitions");
        }
    }

    @Test
    void aKilledTaskIsRetriedAndChangesNothing() throws IOException {
        List<Protocol> protocols = List.of(ProtocolSettings.defaults().protocol(ProtocolName.TEN_CROP,
                EvalSet.PRESET), ProtocolSettings.defaults().protocol(ProtocolName.DENSE, EvalSet.PRESET));
        Evaluation.Setup setup = setup(images, protocols, EvaluationOptions.defaults().withWorkers(1), null);
        JsonNode expected = comparable(setup, Evaluation.run(setup, (done, total) -> { }));
        // The kill is asynchronous: on a fast machine an attempt may finish before it lands (then nothing was
        // killed and the run is repeated, at most three times).
        int killed = 0;
        for (int run = 0; run < 3 && killed == 0; run++) {
            Killer killer = new Killer(spark);
            spark.sc().addSparkListener(killer);
            try {
                assertEquals(expected, comparable(setup, onSpark(setup, images, 3)));
            } finally {
                spark.sc().removeSparkListener(killer);
            }
            killed = killer.killed.size();
        }
        assertEquals(1, killed, "one attempt killed (the first of partition 1) and retried");
    }

    @Test
    void aCorruptImageInAPartitionIsReportedWithItsPath() throws IOException {
        Path root = TestImages.create(temp.resolve("corrupt"), 6);
        Path bad = root.resolve("dog/g03.png");
        byte[] png = Files.readAllBytes(bad);
        Files.write(bad, Arrays.copyOf(png, png.length / 2));
        List<Protocol> protocols = List.of(ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, EvalSet.PRESET));

        Evaluation.Setup setup = setup(root, protocols, EvaluationOptions.defaults(), null);
        BadInputException single = assertThrows(BadInputException.class,
                () -> Evaluation.run(setup, (done, total) -> { }));
        BadInputException distributed = assertThrows(BadInputException.class, () -> onSpark(setup, root, 4));
        assertEquals(bad.toString(), distributed.input().path());
        assertEquals(single.getMessage(), distributed.getMessage());
        assertTrue(distributed.getMessage().startsWith(bad + ": "), distributed.getMessage());

        Evaluation.Setup skip = setup(root, protocols, EvaluationOptions.defaults()
                .with(EvaluationOptions.BadInputs.SKIP), null);
        JsonNode report = comparable(skip, onSpark(skip, root, 4));
        assertEquals(comparable(skip, Evaluation.run(skip, (done, total) -> { })), report);
        assertEquals(1, report.get("bad_input_count").asInt());
        assertEquals(23, report.get("images").asInt());
    }

    @Test
    void aModelThatDoesNotFitIsOneLineNotASparkTrace() throws IOException {
        // The setup is valid on the driver; the executors meet the mismatch (dataset classes above the model's).
        Path root = TestImages.create(temp.resolve("many"), 1);
        for (int c = 0; c < 8; c++) {
            Path folder = Files.createDirectories(root.resolve("extra" + c));
            Files.copy(root.resolve("cat/g00.png"), folder.resolve("x.png"));
        }
        Evaluation.Setup setup = setup(root, List.of(ProtocolSettings.defaults().protocol(ProtocolName.SINGLE,
                EvalSet.PRESET)), EvaluationOptions.defaults(), null);
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> onSpark(setup, root, 2));
        assertEquals("the dataset has 11 classes but the model scores 7", error.getMessage());
    }

    /** Kills the first attempt of partition 1 as soon as it starts; Spark reschedules a killed attempt. */
    private static final class Killer extends SparkListener {

        private final JavaSparkContext spark;
        private final Set<Long> killed = ConcurrentHashMap.newKeySet();
        private volatile boolean done;

        Killer(JavaSparkContext spark) {
            this.spark = spark;
        }

        @Override
        public void onTaskStart(SparkListenerTaskStart start) {
            if (!done && start.taskInfo().index() == 1 && start.taskInfo().attemptNumber() == 0) {
                done = true;
                spark.sc().killTaskAttempt(start.taskInfo().taskId(), true, "killed by the test");
            }
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.reason() instanceof TaskKilled) {
                killed.add(end.taskInfo().taskId());
            }
        }
    }
}
