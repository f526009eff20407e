package org.repzoo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.engine.Evaluation;
import org.repzoo.evaluation.engine.EvaluationOptions;
import org.repzoo.evaluation.engine.EvaluationResult;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.engine.ProtocolResult;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;
import org.repzoo.reparam.Conversion;
import org.repzoo.training.data.TrainingData;
import org.repzoo.training.engine.ModelSpec;
import org.repzoo.training.engine.TrainingOptions;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.zoo.checkpoint.AtomicFiles;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code repzoo demo}: the RepVGG story on real data in minutes. Trains a CPU-sized RepVGG (A0's layout, narrower,
 * 32x32 grey input) on Fashion-MNIST with the RepVGG recipe, converts it to its deploy form, evaluates both forms with
 * the single-crop, multi-scale and multi-crop protocols, times both, and prints one table.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train a small RepVGG on Fashion-MNIST, convert it to the plain deploy form, evaluate both",
                "forms (single, multi-scale, multi-crop), time both, and print the table (about 9 minutes on 2 cores).",
                "Multi-scale and multi-crop run on the first test images (--multi-scale-images, --multi-crop-images)."})
final class DemoCommand implements Callable<Integer> {

    /**
     * The RepVGG recipe for 32x32 Fashion-MNIST: the paper's optimizer and cosine schedule, a short run. Six
     * epochs underfit, so the only augmentation is the flip, with label smoothing 0.1. Batch 128 at lr 0.1 (0.2
     * per 256 images under the recipe's linear scaling, twice the paper's rate): twice the updates of batch 256
     * in the same epochs, which DL4J trains in 1.0-1.15x the time (433-489 s against 425 s). Measured
     * (docs/TRAINING.md): PyTorch seeds 1 and 2 91.88 and 92.29% against 91.37 and 91.39% at batch 256; DL4J
     * 92.11, 92.03 and 91.98% (seeds 42, 7, 1) against 91.67 and 91.88% at batch 256. Pad-2 crops cost 0.8
     * points in six epochs, smoothing adds 0.5; lr 0.15 at batch 128 (91.76, 91.73%), batch 64 (92.09, 91.94%),
     * 28x28 input (-0.4) and width 0.375 (over 10 minutes) did no better.
     */
    static final String RECIPE_OVERRIDES = """
            {"batchSize": 128, "learningRate": 0.2, "epochs": 6, "weightDecay": 1e-4, "labelSmoothing": 0.1,
             "augmentation": {"crop": "PAD_CROP", "cropSize": 32, "padding": 0, "flip": "HORIZONTAL", "colour": "NONE"}}""";
    static final String ARCHITECTURE = "repvgg_a0";
    static final InputShape INPUT = InputShape.of(1, 32, 32);
    /** Scales of multi-scale and multi-crop, around the training scale 32 (VGG's {S - 32, S, S + 32} scaled by 32/224 would fall below the crop). */
    static final List<Integer> SCALES = List.of(32, 36, 40);

    @Option(names = "--data", defaultValue = TrainingData.FASHION_MNIST_NAME, paramLabel = "DIR",
            description = "Fashion-MNIST IDX files (default: Debian's dataset-fashion-mnist, installed if missing "
                    + "and running as root)")
    String data;

    @Option(names = "--out", defaultValue = "demo-output", paramLabel = "DIR", description = "where everything goes")
    Path out;

    @Option(names = "--epochs", description = "training epochs (default 6)")
    Integer epochs;

    @Option(names = "--width", defaultValue = "0.25", description = "width factor on RepVGG-A0's (default 0.25)")
    double width;

    @Option(names = "--depths", split = ",", defaultValue = "1,2,2,1", paramLabel = "D1,D2,D3,D4",
            description = "blocks per stage (default 1,2,2,1)")
    List<Integer> depths;

    @Option(names = "--strides", split = ",", defaultValue = "2,1,2,2,2", paramLabel = "S0,S1,S2,S3,S4",
            description = "first-block stride of stages 0-4 (default 2,1,2,2,2: stage 1 keeps 16x16)")
    List<Integer> strides;

    @Option(names = "--limit", paramLabel = "N", description = "train on the first N images only (a quick look)")
    Integer limit;

    @Option(names = "--multi-scale-images", defaultValue = "2000", paramLabel = "N",
            description = "test images for the 3-scale protocol (default 2000; 0: all)")
    int multiScaleImages;

    @Option(names = "--multi-crop-images", defaultValue = "500", paramLabel = "N",
            description = "test images for the 150-view multi-crop protocol (default 500; 0: all)")
    int multiCropImages;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--workers", defaultValue = "2", description = "input-pipeline threads")
    int workers;

    @Option(names = "--no-install", description = "never install Fashion-MNIST with apt-get")
    boolean noInstall;

    @Option(names = "--force", description = "replace an earlier demo's output in --out")
    boolean force;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter stdout = spec.commandLine().getOut();
        long start = System.nanoTime();
        requireCount("--multi-scale-images", multiScaleImages);
        requireCount("--multi-crop-images", multiCropImages);
        Path runDir = out.resolve("train");
        if (Files.exists(runDir.resolve("checkpoint.zip")) && !force) {
            throw new IllegalArgumentException(out + " holds an earlier demo; add --force to replace it or choose "
                    + "another --out");
        }
        if (force) {
            for (String name : List.of("checkpoint.zip", "training-log.json", "training-curve.png")) {
                Files.deleteIfExists(runDir.resolve(name));
            }
        }
        TrainingData trainingData = TrainingData.open(FashionMnist.ensure(data, !noInstall, stdout));
        if (limit != null) {
            trainingData = trainingData.limit(limit);
        }
        ModelSpec model = new ModelSpec(ARCHITECTURE, INPUT, width, depths, null, strides);
        Recipe recipe = TrainingRun.recipe(model, "repvgg", RECIPE_OVERRIDES, epochs, null);
        TrainingOptions options = new TrainingOptions(seed, workers, runDir, 0, false, 10);
        Path trainZip = out.resolve("repvgg-train.zip");
        Path deployZip = out.resolve("repvgg-deploy.zip");
        TrainingRun.Result trained = TrainingRun.run(model, trainingData, recipe, options, trainZip, stdout);

        stdout.println("converting to the deploy form...");
        stdout.flush();
        Conversion.Report conversion = Conversion.run(trainZip, deployZip, false);
        Member trainForm = new Member("train form", ARCHITECTURE, trained.model(), trained.preset());
        Member deployForm = new Member("deploy form", ARCHITECTURE + "_deploy", ModelFiles.load(deployZip),
                trained.preset());
        Map<String, FormResult> forms = new LinkedHashMap<>();
        for (Member member : List.of(trainForm, deployForm)) {
            forms.put(member.name(), evaluate(member, trainingData));
        }
        Agreement agreement = Agreement.of(forms.get("train form").singleLogits, forms.get("deploy form").singleLogits);
        double seconds = (System.nanoTime() - start) / 1e9;
        Map<String, Object> report = report(model, trained, conversion, forms, agreement, seconds);
        Path reportFile = out.resolve("demo-report.json");
        byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(report);
        AtomicFiles.write(reportFile, temp -> Files.write(temp, json));
        print(stdout, trained, conversion, forms, agreement, seconds, reportFile, runDir);
        return 0;
    }

    /** One form's accuracy under each protocol, and its single-crop logits per image (for the agreement check). */
    private static final class FormResult {
        final Map<String, double[]> accuracy = new LinkedHashMap<>(); // protocol -> {top-1, top-5, images}
        final Map<String, double[]> singleLogits = new HashMap<>();
    }

    /** Single-crop on every test image (its logits kept for the agreement check), the others on the first ones. */
    private FormResult evaluate(Member member, TrainingData trainingData) throws IOException {
        FormResult result = new FormResult();
        run(member, trainingData, ProtocolName.SINGLE, 0, result);
        run(member, trainingData, ProtocolName.MULTI_SCALE, multiScaleImages, result);
        run(member, trainingData, ProtocolName.MULTI_CROP, multiCropImages, result);
        return result;
    }

    private static void requireCount(String option, int count) {
        if (count < 0) {
            throw new IllegalArgumentException(option + " must be 0 (all) or more, not " + count);
        }
    }

    /** One protocol over the first {@code images} test images (0: all). */
    private static void run(Member member, TrainingData data, ProtocolName name, int images, FormResult into)
            throws IOException {
        Protocol protocol = ProtocolSettings.defaults().withScales(SCALES).protocol(name, member.preset());
        Selection selection = images > 0 ? Selection.all().withLimit(images) : Selection.all();
        Evaluation.Setup setup = new Evaluation.Setup(List.of(member), data.validation(), selection,
                List.of(protocol), EvaluationOptions.defaults(), null);
        EvaluationResult result;
        try (ProgressBar bar = ProgressBars.items(member.name() + ": " + protocol.name(), "img",
                selection.apply(data.validation().samples()).size())) {
            result = Evaluation.run(setup, (done, total) -> bar.stepTo(done), (sample, index, scores) -> {
                if (name == ProtocolName.SINGLE) {
                    synchronized (into) {
                        into.singleLogits.put(sample.path(), scores.clone());
                    }
                }
            });
        }
        for (ProtocolResult done : result.results()) {
            into.accuracy.put(done.protocol().name(), new double[] {1 - done.accuracy().top1Error(),
                    1 - done.accuracy().top5Error(), done.accuracy().images()});
        }
    }

    /** How far the deploy form's single-crop logits are from the train form's, and whether top-1 ever differs. */
    record Agreement(int images, int samePrediction, double maxAbsDifference, double maxAbsLogit) {
        static Agreement of(Map<String, double[]> train, Map<String, double[]> deploy) {
            int same = 0;
            double maxDiff = 0;
            double maxLogit = 0;
            for (Map.Entry<String, double[]> entry : train.entrySet()) {
                double[] a = entry.getValue();
                double[] b = deploy.get(entry.getKey());
                same += argmax(a) == argmax(b) ? 1 : 0;
                for (int i = 0; i < a.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                    maxLogit = Math.max(maxLogit, Math.abs(a[i]));
                }
            }
            return new Agreement(train.size(), same, maxDiff, maxLogit);
        }

        private static int argmax(double[] v) {
            int best = 0;
            for (int i = 1; i < v.length; i++) {
                if (v[i] > v[best]) {
                    best = i;
                }
            }
            return best;
        }
    }

    private Map<String, Object> report(ModelSpec model, TrainingRun.Result trained, Conversion.Report conversion,
                                       Map<String, FormResult> forms, Agreement agreement, double seconds) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", model.describe());
        report.put("data", trained.outcome().log().data());
        report.put("recipe", trained.recipe());
        report.put("epochs", trained.outcome().log().epochs());
        report.put("training_seconds", trained.seconds());
        Map<String, Object> formReport = new LinkedHashMap<>();
        int f = 0;
        for (Map.Entry<String, FormResult> form : forms.entrySet()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("parameters", f == 0 ? conversion.parametersBefore() : conversion.parametersAfter());
            entry.put("accuracy", form.getValue().accuracy);
            List<Double> speed = new ArrayList<>();
            for (double[] perBatch : conversion.imagesPerSecond().values()) {
                speed.add(perBatch[f]);
            }
            entry.put("images_per_second_batch_1_16", speed);
            formReport.put(form.getKey(), entry);
            f++;
        }
        report.put("forms", formReport);
        report.put("agreement", agreement);
        report.put("seconds", seconds);
        return report;
    }

    private void print(PrintWriter stdout, TrainingRun.Result trained, Conversion.Report conversion,
                       Map<String, FormResult> forms, Agreement agreement, double seconds, Path reportFile,
                       Path runDir) {
        List<String> protocols = new ArrayList<>(forms.get("train form").accuracy.keySet());
        List<String> header = new ArrayList<>(List.of("form", "parameters"));
        for (String protocol : protocols) {
            int images = (int) forms.get("train form").accuracy.get(protocol)[2];
            header.add(protocol + " top-1 % (" + images + ")");
        }
        header.add("img/s batch 1");
        header.add("img/s batch 16");
        Table table = new Table(header.toArray(String[]::new));
        int[] right = new int[header.size() - 1];
        for (int i = 0; i < right.length; i++) {
            right[i] = i + 1;
        }
        table.rightAlign(right);
        int f = 0;
        double[] batch1 = conversion.imagesPerSecond().get(1);
        double[] batch16 = conversion.imagesPerSecond().get(16);
        for (Map.Entry<String, FormResult> form : forms.entrySet()) {
            List<Object> row = new ArrayList<>(List.of(form.getKey(),
                    Formats.count(f == 0 ? conversion.parametersBefore() : conversion.parametersAfter())));
            for (String protocol : protocols) {
                row.add(String.format("%.2f", 100 * form.getValue().accuracy.get(protocol)[0]));
            }
            row.add(String.format("%.0f", batch1[f]));
            row.add(String.format("%.0f", batch16[f]));
            table.row(row.toArray());
            f++;
        }
        stdout.println();
        table.print(stdout);
        stdout.printf("deploy form vs train form: %.2fx images/s at batch 1, %.2fx at batch 16; same top-1 prediction "
                        + "on %d of %d test images, max |logit difference| %.2g (largest logit %.3g)%n",
                batch1[1] / batch1[0], batch16[1] / batch16[0], agreement.samePrediction(), agreement.images(),
                agreement.maxAbsDifference(), agreement.maxAbsLogit());
        stdout.printf("trained %d epochs in %.0f s; whole demo %.0f s%n", trained.outcome().log().epochs().size(),
                trained.seconds(), seconds);
        stdout.printf("wrote %s, %s, %s, %s, %s%n", out.resolve("repvgg-train.zip"), out.resolve("repvgg-deploy.zip"),
                reportFile, runDir.resolve("training-log.json"), runDir.resolve("training-curve.png"));
        stdout.flush();
    }
}
