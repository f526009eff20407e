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
import org.repzoo.deploy.InferenceModels;
import org.repzoo.deploy.OnnxModelWriter;
import org.repzoo.deploy.OpenedModel;
import org.repzoo.deploy.onnx.OnnxExport;
import org.repzoo.deploy.onnx.OnnxFiles;
import org.repzoo.deploy.quantize.Quantizer;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.engine.Evaluation;
import org.repzoo.evaluation.engine.EvaluationOptions;
import org.repzoo.evaluation.engine.EvaluationResult;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.engine.ProtocolResult;
import org.repzoo.evaluation.metrics.Agreement;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;
import org.repzoo.reparam.Conversion;
import org.repzoo.bench.ModelBenchmark;
import org.repzoo.training.data.TrainingData;
import org.repzoo.training.engine.ModelSpec;
import org.repzoo.training.engine.TrainingOptions;
import org.repzoo.training.engine.TrainingRun;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.zoo.core.AtomicFiles;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code repzoo demo}: the RepVGG story on real data in minutes. Trains a CPU-sized RepVGG (A0's layout, narrower,
 * 32x32 grey input) on Fashion-MNIST with the RepVGG recipe, converts it to its deploy form and writes that as ONNX,
 * evaluates the three (train form and deploy form on DL4J, deploy form on ONNX Runtime) with the single-crop,
 * multi-scale and multi-crop protocols, times them, and prints one table.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Train a small RepVGG on Fashion-MNIST and take it to deployment, end to end.",
                "Converts it to the plain deploy form, to ONNX and to INT8, evaluates each (single, multi-scale, "
                        + "multi-crop), times them and prints the table (5 to 6 minutes on 2 cores).",
                "Multi-scale and multi-crop run on the first test images (--multi-scale-images, --multi-crop-images)."})
final class DemoCommand implements Callable<Integer> {

    /**
     * The RepVGG recipe for 32x32 Fashion-MNIST: the paper's optimizer and cosine schedule, a short run: eight
     * epochs, the five and a half minutes six took before training ran the BLAS on one thread (six: 91.96%, eight:
     * 92.32%, seed 42, docs/TRAINING.md). So short a run underfits, so the only augmentation is the flip, with label
     * smoothing 0.1. Batch 128 at lr 0.1 (0.2 per 256 images under the recipe's linear scaling, twice the paper's
     * rate): twice the updates of batch 256 in the same epochs, which DL4J trains in 1.0-1.15x the time (433-489 s
     * against 425 s). Measured
     * (docs/notes/2026-11-26-demo-batch-size.md): PyTorch seeds 1 and 2 91.88 and 92.29% against 91.37 and
     * 91.39% at batch 256; DL4J 92.11, 92.03 and 91.98% (seeds 42, 7, 1) against 91.67 and 91.88% at batch 256.
     * Pad-2 crops cost 0.8 points in six epochs, smoothing adds 0.5; lr 0.15 at batch 128 (91.76, 91.73%), batch 64
     * (92.09, 91.94%), 28x28 input (-0.4), width 0.375 (over 10 minutes) and at eight epochs an EMA of the weights
     * (decay 0.998: 92.34% against 92.32) did no better.
     */
    static final String RECIPE_OVERRIDES = """
            {"batchSize": 128, "learningRate": 0.2, "epochs": 8, "weightDecay": 1e-4, "labelSmoothing": 0.1,
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

    @Option(names = "--epochs", description = "training epochs (default 8)")
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
        TrainingOptions options = TrainingOptions.in(runDir).withSeed(seed).withWorkers(workers);
        Path trainZip = out.resolve("repvgg-train.zip");
        Path deployZip = out.resolve("repvgg-deploy.zip");
        TrainingRun.Result trained;
        try (TrainingBars bars = new TrainingBars(stdout)) {
            trained = TrainingRun.run(model, trainingData, recipe, options, trainZip, bars);
        }

        stdout.println("converting to the deploy form...");
        stdout.flush();
        Conversion.Report conversion = Conversion.run(trainZip, deployZip, false).report();
        Path deployOnnx = out.resolve("repvgg-deploy.onnx");
        OnnxModelWriter.Written onnx = OnnxModelWriter.fromZip(deployZip, deployOnnx, OnnxExport.DEFAULT_OPSET, false,
                null);
        Path int8Onnx = out.resolve("repvgg-deploy.int8.onnx");
        stdout.println("quantizing the deploy form to INT8 (ranges from " + Quantizer.Options.DEFAULT_IMAGES
                + " training images)...");
        stdout.flush();
        Quantizer.Result int8 = Quantizer.quantize(deployOnnx, trainingData.train(), Quantizer.Options.defaults(),
                note -> { }, done -> { });
        OnnxFiles.write(int8Onnx, int8.model());
        try (OpenedModel onOrt = InferenceModels.open(deployOnnx, InferenceModels.Options.defaults(), note -> { });
             OpenedModel onInt8 = InferenceModels.open(int8Onnx, InferenceModels.Options.defaults(), note -> { })) {
            List<Form> forms = List.of(
                    new Form(TRAIN, new Member(TRAIN, ARCHITECTURE, trained.model(), trained.preset())),
                    new Form(DEPLOY, new Member(DEPLOY, ARCHITECTURE + "_deploy", ModelFiles.load(deployZip),
                            trained.preset())),
                    new Form(ONNX, new Member(ONNX, ARCHITECTURE + "_deploy", onOrt.model(), onOrt::fullyConvolutional,
                            trained.preset())),
                    new Form(INT8, new Member(INT8, ARCHITECTURE + "_deploy", onInt8.model(),
                            onInt8::fullyConvolutional, trained.preset())));
            for (Form form : forms) {
                evaluate(form, trainingData);
                form.imagesPerSecond = timing(form.member);
            }
            Agreement deploy = Agreement.of(forms.get(0).singleLogits, forms.get(1).singleLogits);
            Agreement runtime = Agreement.of(forms.get(1).singleLogits, forms.get(2).singleLogits);
            Agreement quantized = Agreement.of(forms.get(2).singleLogits, forms.get(3).singleLogits);
            double seconds = (System.nanoTime() - start) / 1e9;
            OnnxOutputs files = new OnnxOutputs(onnx.file(), onnx.bytes(), int8Onnx, Files.size(int8Onnx));
            Map<String, Object> report = report(model, trained, conversion, files, forms, deploy, runtime, quantized,
                    seconds);
            Path reportFile = out.resolve("demo-report.json");
            byte[] json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(report);
            AtomicFiles.write(reportFile, temp -> Files.write(temp, json));
            print(stdout, trained, conversion, files, forms, deploy, runtime, quantized, seconds, reportFile, runDir);
        }
        return 0;
    }

    static final String TRAIN = "train form";
    static final String DEPLOY = "deploy form";
    static final String ONNX = "deploy form, ONNX Runtime";
    static final String INT8 = "deploy form, INT8, ONNX Runtime";

    /** The ONNX files the demo writes, and their sizes. */
    private record OnnxOutputs(Path onnx, long onnxBytes, Path int8, long int8Bytes) {
    }
    private static final int[] TIMED_BATCHES = {1, 16};

    /** The images/s of a form at batch 1 and 16: ./repzoo bench's timing, bounded to a few seconds each. */
    private Map<Integer, Double> timing(Member member) {
        Map<Integer, Double> speed = new LinkedHashMap<>();
        for (int batch : TIMED_BATCHES) {
            ModelBenchmark.Result result = ModelBenchmark.run(member.model(), INPUT, -1, -1,
                    new ModelBenchmark.Settings(batch, ModelBenchmark.Mode.INFER, 5, 200, 2.0), done -> { });
            speed.put(batch, result.imagesPerSecond());
        }
        return speed;
    }

    /** A form's accuracy under one protocol (fractions), over how many test images. */
    record ProtocolAccuracy(double top1, double top5, long images) {
    }

    /** One form: its accuracy under each protocol, its single-crop logits per image (for the agreement), speed. */
    private static final class Form {
        final String name;
        final Member member;
        final Map<String, ProtocolAccuracy> accuracy = new LinkedHashMap<>();
        final Map<String, double[]> singleLogits = new HashMap<>();
        Map<Integer, Double> imagesPerSecond;

        Form(String name, Member member) {
            this.name = name;
            this.member = member;
        }
    }

    /** Single-crop on every test image (its logits kept for the agreement check), the others on the first ones. */
    private void evaluate(Form form, TrainingData trainingData) throws IOException {
        run(form, trainingData, ProtocolName.SINGLE, 0);
        run(form, trainingData, ProtocolName.MULTI_SCALE, multiScaleImages);
        run(form, trainingData, ProtocolName.MULTI_CROP, multiCropImages);
    }

    private static void requireCount(String option, int count) {
        if (count < 0) {
            throw new IllegalArgumentException(option + " must be 0 (all) or more, not " + count);
        }
    }

    /** One protocol over the first {@code images} test images (0: all). */
    private static void run(Form form, TrainingData data, ProtocolName name, int images) throws IOException {
        Member member = form.member;
        Protocol protocol = ProtocolSettings.defaults().withScales(SCALES).protocol(name, member.preset());
        Selection selection = images > 0 ? Selection.all().withLimit(images) : Selection.all();
        Evaluation.Setup setup = new Evaluation.Setup(List.of(member), data.validation(), selection,
                List.of(protocol), EvaluationOptions.defaults(), null);
        EvaluationResult result;
        try (ProgressBar bar = ProgressBars.items(member.name() + ": " + protocol.name(), "img",
                selection.apply(data.validation().samples()).size())) {
            result = Evaluation.run(setup, (done, total) -> bar.stepTo(done), (sample, index, scores) -> {
                if (name == ProtocolName.SINGLE) {
                    synchronized (form) {
                        form.singleLogits.put(sample.path(), scores.clone());
                    }
                }
            });
        }
        for (ProtocolResult done : result.results()) {
            form.accuracy.put(done.protocol().name(), new ProtocolAccuracy(1 - done.accuracy().top1Error(),
                    1 - done.accuracy().top5Error(), done.accuracy().images()));
        }
    }

    private Map<String, Object> report(ModelSpec model, TrainingRun.Result trained, Conversion.Report conversion,
                                       OnnxOutputs files, List<Form> forms, Agreement deploy, Agreement runtime,
                                       Agreement quantized, double seconds) {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("model", model.describe());
        report.put("data", trained.outcome().log().data());
        report.put("recipe", trained.recipe());
        report.put("epochs", trained.outcome().log().epochs());
        report.put("training_seconds", trained.seconds());
        Map<String, Object> formReport = new LinkedHashMap<>();
        for (Form form : forms) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("parameters", form.name.equals(TRAIN) ? conversion.parametersBefore()
                    : conversion.parametersAfter());
            entry.put("engine", form.name.equals(ONNX) || form.name.equals(INT8) ? "onnxruntime" : "dl4j");
            entry.put("accuracy", form.accuracy);
            entry.put("images_per_second", form.imagesPerSecond);
            formReport.put(form.name, entry);
        }
        report.put("forms", formReport);
        report.put("onnx_file", Map.of("path", files.onnx().toString(), "bytes", files.onnxBytes()));
        report.put("int8_file", Map.of("path", files.int8().toString(), "bytes", files.int8Bytes()));
        report.put("agreement_deploy_vs_train", deploy);
        report.put("agreement_onnxruntime_vs_dl4j", runtime);
        report.put("agreement_int8_vs_float", quantized);
        report.put("seconds", seconds);
        return report;
    }

    private void print(PrintWriter stdout, TrainingRun.Result trained, Conversion.Report conversion, OnnxOutputs files,
                       List<Form> forms, Agreement deploy, Agreement runtime, Agreement quantized, double seconds,
                       Path reportFile, Path runDir) {
        List<String> protocols = new ArrayList<>(forms.get(0).accuracy.keySet());
        List<String> header = new ArrayList<>(List.of("form", "parameters"));
        for (String protocol : protocols) {
            long images = forms.get(0).accuracy.get(protocol).images();
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
        for (Form form : forms) {
            List<Object> row = new ArrayList<>(List.of(form.name, Formats.count(form.name.equals(TRAIN)
                    ? conversion.parametersBefore() : conversion.parametersAfter())));
            for (String protocol : protocols) {
                row.add(String.format("%.2f", 100 * form.accuracy.get(protocol).top1()));
            }
            row.add(String.format("%.0f", form.imagesPerSecond.get(1)));
            row.add(String.format("%.0f", form.imagesPerSecond.get(16)));
            table.row(row.toArray());
        }
        stdout.println();
        table.print(stdout);
        Form train = forms.get(0);
        Form deployForm = forms.get(1);
        Form runtimeForm = forms.get(2);
        stdout.printf("deploy form vs train form: %.2fx images/s at batch 1, %.2fx at batch 16; same top-1 prediction "
                        + "on %d of %d test images, max |logit difference| %.2g (largest logit %.3g)%n",
                deployForm.imagesPerSecond.get(1) / train.imagesPerSecond.get(1),
                deployForm.imagesPerSecond.get(16) / train.imagesPerSecond.get(16), deploy.samePrediction(),
                deploy.images(), deploy.maxAbsDifference(), deploy.maxAbsLogit());
        stdout.printf("ONNX Runtime vs DL4J, deploy form: %.2fx images/s at batch 1, %.2fx at batch 16; same top-1 "
                        + "prediction on %d of %d test images, max |logit difference| %.2g; %s is %.1f MB%n",
                runtimeForm.imagesPerSecond.get(1) / deployForm.imagesPerSecond.get(1),
                runtimeForm.imagesPerSecond.get(16) / deployForm.imagesPerSecond.get(16), runtime.samePrediction(),
                runtime.images(), runtime.maxAbsDifference(), files.onnx().getFileName(), files.onnxBytes() / 1e6);
        Form int8Form = forms.get(3);
        stdout.printf("INT8 vs float32 on ONNX Runtime: %.2fx images/s at batch 1, %.2fx at batch 16; same top-1 "
                        + "prediction on %d of %d test images; %s is %.2f MB (%.2f of the float file)%n",
                int8Form.imagesPerSecond.get(1) / runtimeForm.imagesPerSecond.get(1),
                int8Form.imagesPerSecond.get(16) / runtimeForm.imagesPerSecond.get(16), quantized.samePrediction(),
                quantized.images(), files.int8().getFileName(), files.int8Bytes() / 1e6,
                (double) files.int8Bytes() / files.onnxBytes());
        stdout.printf("trained %d epochs in %.0f s; whole demo %.0f s%n", trained.outcome().log().epochs().size(),
                trained.seconds(), seconds);
        stdout.printf("wrote %s, %s, %s, %s, %s, %s, %s%n", out.resolve("repvgg-train.zip"),
                out.resolve("repvgg-deploy.zip"), files.onnx(), files.int8(), reportFile,
                runDir.resolve("training-log.json"), runDir.resolve("training-curve.png"));
        stdout.flush();
    }
}
