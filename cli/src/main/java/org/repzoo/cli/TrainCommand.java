package org.repzoo.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.repzoo.spark.SparkContexts;
import org.repzoo.spark.SparkTraining;
import org.repzoo.spark.SparkTrainingRun;
import org.repzoo.training.data.TrainingData;
import org.repzoo.training.engine.EpochRecord;
import org.repzoo.training.engine.ModelSpec;
import org.repzoo.training.engine.TrainingOptions;
import org.repzoo.training.engine.TrainingRun;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.repvgg.RepVggConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code repzoo train}: trains a registered architecture with its paper's recipe, crash-safe. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = {"Train a model with its paper's recipe.",
                "The paper's optimizer (SGD or RMSProp), schedule, weight decay and augmentation; validates each "
                        + "epoch, checkpoints atomically (kill it any time; --resume continues exactly) and writes a "
                        + "JSON log, a PNG curve and at the end the model zip to the run directory."})
final class TrainCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ARCH", description = "registered architecture (repzoo list)")
    String architecture;

    @Option(names = "--data", required = true, paramLabel = "DIR|fashion-mnist",
            description = "IDX files (train split; validated on test), a folder with train/ and val/ class folders, "
                    + "or fashion-mnist (Debian's dataset-fashion-mnist)")
    String data;

    @Option(names = "--epochs", description = "epochs (default: the recipe's)")
    Integer epochs;

    @Option(names = "--recipe", paramLabel = "NAME|FILE", description = "recipe name or JSON file (default: the family's)")
    String recipe;

    @Option(names = "--set", paramLabel = "JSON", description = "recipe overrides, e.g. '{\"weightDecay\": 5e-4}'")
    String overrides;

    @Option(names = "--batch", description = "batch size (the learning rate follows where the recipe scales it)")
    Integer batch;

    @Option(names = "--width", defaultValue = "1", description = "width factor of every stage (RepVGG)")
    double width;

    @Option(names = "--depths", split = ",", paramLabel = "D1,D2,D3,D4", description = "blocks per stage (RepVGG)")
    List<Integer> depths;

    @Option(names = "--branches", description = "RepVGG train-form branches: ${COMPLETION-CANDIDATES}")
    RepVggConfig.Branches branches;

    @Option(names = "--strides", split = ",", paramLabel = "S0,S1,S2,S3,S4", description = "first-block stride of "
            + "RepVGG's stages 0-4 (default 2,2,2,2,2 as the paper; a 1 keeps small inputs' resolution)")
    List<Integer> strides;

    @Option(names = "--input", paramLabel = "CxHxW", description = "input shape, e.g. 1x32x32 (default: the model's)")
    String input;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR",
            description = "run directory: checkpoint, log, curve, model (default: runs/ARCH)")
    Path checkpointDir;

    @Option(names = "--resume", description = "continue the run in --checkpoint-dir")
    boolean resume;

    @Option(names = "--checkpoint-every", defaultValue = "200", paramLabel = "N",
            description = "iterations between checkpoints, besides each epoch's end (0: epochs only; default 200)")
    int checkpointEvery;

    @Option(names = "--workers", defaultValue = "2", description = "input-pipeline threads (default 2)")
    int workers;

    @Option(names = "--replicas", defaultValue = "1", paramLabel = "N", description = "model replicas that share each "
            + "batch through DL4J's ParallelWrapper, weights and momentum averaged after every batch: one per GPU with "
            + "the cuda build (default 1; on a CPU it is slower, see docs/TRAINING.md)")
    int replicas;

    @Option(names = "--seed", defaultValue = "42", description = "seed of weights, data order and augmentation")
    long seed;

    @Option(names = "--limit", paramLabel = "N", description = "train on the first N training images only")
    Integer limit;

    @Option(names = "--out", paramLabel = "MODEL.zip", description = "the trained model (default: DIR/model.zip)")
    Path out;

    @Option(names = "--spark", arity = "0..1", fallbackValue = "", paramLabel = "MASTER", description = "train on "
            + "Apache Spark with DL4J's training masters. MASTER: local[N], spark://host:7077, yarn... (default: "
            + "spark-submit's master, else local[*]; write --spark=MASTER or put --spark after ARCH)")
    String spark;

    @Option(names = "--spark-mode", defaultValue = "averaging", paramLabel = "averaging|shared",
            description = "parameter averaging (repeatable) or gradient sharing (default averaging)")
    String sparkMode;

    @Option(names = "--partitions", paramLabel = "N", description = "Spark partitions of each epoch's minibatches "
            + "(default: Spark's default parallelism)")
    int partitions;

    @Option(names = "--averaging-frequency", paramLabel = "N", defaultValue = "1", description = "with --spark in "
            + "averaging mode: minibatches each partition fits between two averages (default 1; each average is a "
            + "Spark job, so large data wants more)")
    int averagingFrequency;

    @Option(names = "--stall-timeout", paramLabel = "SECONDS", defaultValue = "600", description = "with --spark: "
            + "end the run when an epoch trains no minibatch (gradient sharing) or finishes no averaging period for "
            + "this long; the last epoch's checkpoint stays (default 600)")
    long stallTimeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        SparkOptions.checkMaster(spec, spark);
        if (replicas < 1) {
            throw new ParameterException(spec.commandLine(), "--replicas must be at least 1, got " + replicas);
        }
        if (averagingFrequency < 1) {
            throw new ParameterException(spec.commandLine(), "--averaging-frequency must be at least 1, got "
                    + averagingFrequency);
        }
        if (replicas > 1 && spark != null) {
            throw new ParameterException(spec.commandLine(), "--replicas is for one machine; with --spark, Spark's "
                    + "partitions are the replicas");
        }
        String branchSet = branches == null || branches == RepVggConfig.Branches.ALL
                ? null : branches.name().toLowerCase(Locale.ROOT);
        ModelSpec model = new ModelSpec(architecture, input == null ? null : InputShape.parse(input), width, depths,
                branchSet, strides);
        model.architecture(); // refuses bad size options before any data is read
        TrainingData trainingData = TrainingData.open(data);
        if (limit != null) {
            trainingData = trainingData.limit(limit);
        }
        Recipe chosen = TrainingRun.recipe(model, recipe, overrides, epochs, batch);
        Path dir = checkpointDir != null ? checkpointDir : Path.of("runs", architecture);
        TrainingOptions options = TrainingOptions.in(dir).withSeed(seed).withWorkers(workers)
                .withCheckpointEvery(checkpointEvery).withReplicas(replicas)
                .withStart(resume ? TrainingOptions.Start.RESUME : TrainingOptions.Start.NEW);
        Path modelFile = out != null ? out : dir.resolve("model.zip");
        TrainingRun.Result result;
        try (TrainingBars bars = new TrainingBars(spec.commandLine().getOut())) {
            result = spark == null
                    ? TrainingRun.run(model, trainingData, chosen, options, modelFile, bars)
                    : SparkTrainingRun.run(model, trainingData, chosen, options, modelFile, spark,
                            SparkTraining.Mode.parse(sparkMode), partitions, averagingFrequency,
                            SparkOptions.stallTimeout(spec, stallTimeout), bars);
        }
        print(result);
        return 0;
    }

    private void print(TrainingRun.Result result) {
        var out = spec.commandLine().getOut();
        Table table = new Table("epoch", "train loss", "val loss", "top-1 %", "top-5 %", "lr", "img/s", "s")
                .rightAlign(0, 1, 2, 3, 4, 5, 6, 7);
        for (EpochRecord r : result.outcome().log().epochs()) {
            table.row(r.epoch(), String.format("%.4f", r.trainLoss()), String.format("%.4f", r.validationLoss()),
                    String.format("%.2f", 100 * r.top1()), String.format("%.2f", 100 * r.top5()),
                    number("%.3g", r.learningRate()), number("%.0f", r.imagesPerSecond()),
                    number("%.0f", r.seconds()));
        }
        table.print(out);
        out.printf("final model: top-1 %.2f%%, top-5 %.2f%% on %d validation images; %.0f s%n",
                100 * result.outcome().validation().top1(), 100 * result.outcome().validation().top5(),
                result.outcome().validation().images(), result.seconds());
        out.printf("wrote %s, %s, %s%n", result.modelFile(), checkpointDirOf(result).resolve("training-log.json"),
                checkpointDirOf(result).resolve("training-curve.png"));
    }

    private Path checkpointDirOf(TrainingRun.Result result) {
        return checkpointDir != null ? checkpointDir : Path.of("runs", architecture);
    }

    /** A figure, or "-" where a run does not measure it (Spark runs: learning rate, speed, time per epoch). */
    private static String number(String format, double value) {
        return Double.isNaN(value) ? "-" : String.format(format, value);
    }
}
