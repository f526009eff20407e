package org.repzoo.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.deploy.OpenedModel;
import org.repzoo.evaluation.data.BadInput;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Datasets;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.engine.Evaluation;
import org.repzoo.evaluation.engine.EvaluationOptions;
import org.repzoo.evaluation.engine.EvaluationResult;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.engine.ProtocolResult;
import org.repzoo.evaluation.engine.Report;
import org.repzoo.evaluation.metrics.Accuracy;
import org.repzoo.evaluation.protocol.DenseViews;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;
import org.repzoo.evaluation.protocol.TrainingScale;
import org.repzoo.spark.SparkContexts;
import org.repzoo.spark.SparkEvaluation;
import org.repzoo.zoo.core.EvalPreset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "eval", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Top-1/top-5 error of a model (or an ensemble) on a labelled image set under the papers' test "
                + "protocols: single, multi-scale, ten-crop, multi-crop (VGG, 150 views), googlenet-144, dense (VGG's "
                + "fully-convolutional evaluation; ResNet's with --scales 224,256,384,480,640 --no-flip) and "
                + "dense+multi-crop.",
                "--data: a class-folder tree (ImageNet style), an ILSVRC-2012 validation folder with --labels, or "
                        + "(Fashion-)MNIST IDX files."})
final class EvalCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "MODEL.zip|MODEL.onnx",
            description = "A model zip or an ONNX file.")
    private Path model;

    @Mixin
    private EngineOptions engine;

    @Option(names = "--models", split = ",", paramLabel = "A.zip,B.zip",
            description = "An ensemble: soft-max posteriors averaged over the models.")
    private List<Path> ensemble = new ArrayList<>();

    @Option(names = "--data", required = true, paramLabel = "PATH",
            description = "Class folders, an ILSVRC validation folder, or IDX files (file or folder).")
    private Path data;

    @Option(names = "--labels", paramLabel = "FILE", description = "ILSVRC ground truth: LOC_val_solution.csv, one "
            + "WordNet id per line, or the devkit's ILSVRC2012_validation_ground_truth.txt (with --synsets).")
    private Path labels;

    @Option(names = "--classes", paramLabel = "FILE",
            description = "Class order, one per line (first word): folder names or WordNet ids. Default: sorted.")
    private Path classes;

    @Option(names = "--synsets", paramLabel = "FILE",
            description = "The devkit's WordNet ids in ILSVRC2012_ID order (tools/imagenet/devkit_synsets.py).")
    private Path synsets;

    @Option(names = "--split", paramLabel = "test|train", description = "IDX split in a folder (default: test).")
    private String split = "test";

    @Option(names = "--protocol", paramLabel = "P", description = "single (default), multi-scale, ten-crop, "
            + "multi-crop, googlenet-144, dense, dense+multi-crop.")
    private String protocol = "single";

    @Option(names = "--compare", split = ",", paramLabel = "P,Q,...",
            description = "Several protocols in one pass over the data, side by side (replaces --protocol).")
    private List<String> compare = new ArrayList<>();

    @Option(names = "--scales", split = ",", paramLabel = "Q,...", description = "Scale set of multi-scale, "
            + "multi-crop, dense, googlenet-144 (default: the paper's, e.g. 256,384,512 for VGG's).")
    private List<Integer> scales = new ArrayList<>();

    @Option(names = "--train-scale", paramLabel = "S|Smin-Smax",
            description = "VGG's training scale; single uses Q = S (or the middle), the sets {S-32,S,S+32} or "
                    + "{Smin,middle,Smax}.")
    private String trainScale;

    @Option(names = "--resize", paramLabel = "Q", description = "Shorter side for single and ten-crop (default: the "
            + "model's preset).")
    private int resize;

    @Option(names = "--crop", paramLabel = "N", description = "Crop size (default: the model's preset).")
    private int crop;

    @Option(names = "--interpolation", paramLabel = "bilinear|bicubic",
            description = "Resize filter, antialiased as PIL's (default: the model's preset).")
    private String interpolation;

    @Option(names = "--no-flip", description = "Dense evaluation without the mirrored image (ResNet's text).")
    private boolean noFlip;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate at most N images.")
    private int limit;

    @Option(names = "--shard", paramLabel = "i/n", description = "Every n-th image from the i-th (0-based).")
    private String shard;

    @Option(names = "--batch", paramLabel = "N", description = "Views per forward pass (default: 16).")
    private int batch = 16;

    @Option(names = "--workers", paramLabel = "N",
            description = "Decoding threads ahead of the model (default: half the processors, at most 8).")
    private int workers;

    @Option(names = "--report", paramLabel = "OUT.json", description = "Write the JSON report.")
    private Path report;

    @Option(names = "--predictions", paramLabel = "OUT.csv",
            description = "Write path,label,protocol,top1..top5 per image.")
    private Path predictions;

    @Option(names = "--per-class", description = "Print the per-class table too (the report always has it).")
    private boolean perClass;

    @Option(names = "--skip-bad", description = "Count and list bad inputs instead of stopping at the first.")
    private boolean skipBad;

    @Option(names = "--no-upscale", description = "Treat images smaller than the crop as bad inputs (torchvision "
            + "upscales them; so does RepZoo by default).")
    private boolean noUpscale;

    @Option(names = "--spark", arity = "0..1", fallbackValue = "", paramLabel = "MASTER", description = "Run on "
            + "Apache Spark: the images split across Spark tasks, the same report as one JVM. MASTER: local[N], "
            + "spark://host:7077, yarn... (default: spark-submit's master, else local[*]; write --spark=MASTER or "
            + "put --spark after MODEL.zip).")
    private String spark;

    @Option(names = "--partitions", paramLabel = "N",
            description = "Spark tasks the images are split into (default: twice Spark's default parallelism).")
    private int partitions;

    @Option(names = "--stall-timeout", paramLabel = "SECONDS", defaultValue = "600", description = "with --spark: "
            + "end the job when it evaluates no image for this long (default 600)")
    private long stallTimeout;

    @Override
    public Integer call() throws Exception {
        List<OpenedModel> opens = new ArrayList<>();
        try {
            return evaluate(opens);
        } finally {
            opens.forEach(OpenedModel::close);
        }
    }

    private int evaluate(List<OpenedModel> opens) throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        SparkOptions.checkMaster(spec, spark);
        List<Path> files = new ArrayList<>();
        if (model != null) {
            files.add(model);
        }
        files.addAll(ensemble);
        if (files.isEmpty()) {
            throw new IllegalArgumentException("give a MODEL.zip or --models A.zip,B.zip");
        }
        List<Path> inputs = new ArrayList<>(files);
        inputs.add(data);
        for (Path output : new Path[] {report, predictions}) {
            Outputs.refuseInput(output, inputs.toArray(Path[]::new));
        }
        if (synsets != null && labels == null) {
            throw new ParameterException(spec.commandLine(), "the synsets file goes with the devkit's ground truth"
                    + " (--labels)");
        }
        Datasets.Source source = new Datasets.Source(data, labels, classes, synsets, split);
        Dataset dataset = Datasets.open(source);
        List<Member> members = new ArrayList<>();
        // The classifier sees crop-size views only (the dense protocols run the fully-convolutional form, which stays
        // dynamic): ONNX Runtime plans a dynamic-size model for that size.
        InferenceModels.Options engineOptions = engine.options().withOneSize(true);
        for (Path file : files) {
            OpenedModel opened = InferenceModels.open(file, engineOptions, note -> {
                err.println("repzoo: " + note);
                err.flush();
            });
            opens.add(opened);
            members.add(opened.member().withPreset(preset(opened.preset())));
        }
        EvalPreset preset = members.get(0).preset();
        ProtocolSettings settings = ProtocolSettings.defaults().withResize(resize).withScales(scales)
                .withDenseMirror(noFlip ? DenseViews.Mirroring.ORIGINAL_ONLY : DenseViews.Mirroring.WITH_MIRROR);
        if (trainScale != null) {
            settings = settings.withTrainingScale(TrainingScale.parse(trainScale));
        }
        List<Protocol> protocols = new ArrayList<>();
        for (String name : compare.isEmpty() ? List.of(protocol) : compare) {
            protocols.add(settings.protocol(ProtocolName.parse(name), preset));
        }
        Selection selection = (shard == null ? Selection.all() : Selection.shard(shard)).withLimit(limit);
        EvaluationOptions options = EvaluationOptions.defaults().withBatchSize(batch)
                .with(skipBad ? EvaluationOptions.BadInputs.SKIP : EvaluationOptions.BadInputs.STOP)
                .with(noUpscale ? EvaluationOptions.SmallImages.REFUSE : EvaluationOptions.SmallImages.UPSCALE);
        if (workers > 0) {
            options = options.withWorkers(workers);
        }
        Evaluation.Setup setup = new Evaluation.Setup(members, dataset, selection, protocols, options, predictions);
        EvaluationResult result;
        if (spark != null) {
            result = runOnSpark(setup, new SparkEvaluation.Inputs(files, partitions,
                    SparkOptions.stallTimeout(spec, stallTimeout), engineOptions), err);
        } else {
            try (ProgressBar bar = ProgressBars.items("eval", "img", selection.apply(dataset.samples()).size())) {
                result = Evaluation.run(setup, (done, total) -> bar.stepTo(done));
            }
        }
        print(setup, result);
        if (report != null) {
            Report.write(report, setup, result);
            err.println("wrote the report to " + report);
        }
        if (predictions != null) {
            err.println("wrote per-image predictions to " + predictions);
        }
        err.flush();
        return 0;
    }

    private EvaluationResult runOnSpark(Evaluation.Setup setup, SparkEvaluation.Inputs inputs, PrintWriter err)
            throws IOException {
        long images = setup.selection().apply(setup.dataset().samples()).size();
        ProgressBar[] bar = new ProgressBar[1];
        try {
            return SparkEvaluation.run(spark, setup, inputs, note -> {
                err.println("repzoo: " + note);
                err.flush();
                bar[0] = ProgressBars.items("eval", "img", images);
            }, (done, total) -> bar[0].stepTo(done));
        } finally {
            if (bar[0] != null) {
                bar[0].close();
            }
        }
    }

    /** The model's preset with the command line's overrides. */
    private EvalPreset preset(EvalPreset base) {
        EvalPreset.Interpolation filter = base.interpolation();
        if (interpolation != null) {
            try {
                filter = EvalPreset.Interpolation.valueOf(interpolation.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--interpolation must be bilinear or bicubic, got " + interpolation);
            }
        }
        int cropSize = crop > 0 ? crop : base.cropSize();
        int resizeSize = resize > 0 ? resize : Math.max(base.resizeSize(), cropSize);
        return new EvalPreset(resizeSize, cropSize, filter, base.mean(), base.std(), base.channelOrder(), base.scale());
    }

    private void print(Evaluation.Setup setup, EvaluationResult result) {
        PrintWriter out = spec.commandLine().getOut();
        Table table = new Table("protocol", "views/image", "images", "top-1 err", "top-5 err", "views")
                .rightAlign(1, 2, 3, 4, 5);
        for (ProtocolResult r : result.results()) {
            Accuracy a = r.accuracy();
            table.row(r.protocol().name(), r.protocol().viewsPerImage(), Formats.count(a.images()),
                    percent(a.top1Error()), percent(a.top5Error()), Formats.count(r.views()));
        }
        table.print(out);
        out.println();
        for (ProtocolResult r : result.results()) {
            out.println(r.protocol().name() + ": " + r.protocol().description());
        }
        EvalPreset preset = setup.members().get(0).preset();
        out.printf(Locale.ROOT, "models: %s (%s, crop %d, %s)%n", String.join(", ", setup.members().stream()
                        .map(m -> m.name() + (m.architecture() != null ? " [" + m.architecture() + "]" : "")).toList()),
                setup.members().size() > 1 ? "ensemble, soft-max averaged" : "resize " + preset.resizeSize(),
                preset.cropSize(), preset.interpolation().name().toLowerCase(Locale.ROOT));
        out.printf(Locale.ROOT, "data: %s %s, %d classes, %s%n", setup.dataset().kind(), setup.dataset().location(),
                setup.dataset().classNames().size(), setup.selection());
        out.printf(Locale.ROOT, "speed: %.2f images/s, %.1f views/s; model %.1f s, waiting for input %.2f s (%.1f%% of "
                        + "model time), %d decoding worker(s)%n", result.imagesPerSecond(), result.viewsPerSecond(),
                result.timings().model(), result.timings().waiting(), 100 * result.timings().overhead(),
                setup.options().workers());
        if (result.badInputCount() > 0) {
            out.println("bad inputs skipped: " + result.badInputCount());
            for (BadInput bad : result.badInputs().subList(0, Math.min(10, result.badInputs().size()))) {
                out.println("  " + bad);
            }
        }
        if (result.nanImageCount() > 0) {
            out.println("images with NaN scores (ranked last, counted): " + result.nanImageCount());
        }
        if (result.upscaled() > 0) {
            out.println("images smaller than the crop, upscaled as torchvision does: " + result.upscaled());
        }
        if (perClass) {
            out.println();
            for (ProtocolResult r : result.results()) {
                Table classes = new Table("class", "name", "images", "top-1 err", "top-5 err").rightAlign(0, 2, 3, 4);
                Accuracy a = r.accuracy();
                for (int c = 0; c < a.classes(); c++) {
                    long n = a.imagesOf(c);
                    classes.row(c, setup.dataset().classNames().get(c), n,
                            n == 0 ? "-" : percent(1 - (double) a.top1CorrectOf(c) / n),
                            n == 0 ? "-" : percent(1 - (double) a.top5CorrectOf(c) / n));
                }
                out.println(r.protocol().name() + ", per class:");
                classes.print(out);
            }
        }
        out.flush();
    }

    private static String percent(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }
}
