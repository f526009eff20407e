package org.repzoo.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.repzoo.deploy.onnx.OnnxFiles;
import org.repzoo.deploy.quantize.Calibration;
import org.repzoo.deploy.quantize.Quantizer;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Datasets;
import org.repzoo.training.data.TrainingData;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "quantize", mixinStandardHelpOptions = true,
        description = {"Post-training INT8 quantization of a model's deploy form, written as ONNX (QDQ) for ONNX "
                + "Runtime: int8 weights (per output channel by default), uint8 activations with ranges calibrated on "
                + "images drawn through the model's preset. A RepVGG train form is converted first and batch norm "
                + "folded. The result runs with predict, eval and bench like any .onnx."})
final class QuantizeCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.zip|MODEL.onnx", description = "A model zip or a float ONNX file.")
    private Path model;

    @Option(names = "--calibration", required = true, paramLabel = "DIR|fashion-mnist", description = "Calibration "
            + "images: class folders, the ILSVRC validation layout, IDX files (their train split), or fashion-mnist "
            + "(Debian's dataset-fashion-mnist, training images).")
    private String calibration;

    @Option(names = "--out", required = true, paramLabel = "MODEL.int8.onnx", description = "The quantized model.")
    private Path out;

    @Option(names = "--images", paramLabel = "N", defaultValue = "512",
            description = "Calibration images, drawn at random (seed 0) from the set (default 512).")
    private int images;

    @Option(names = "--weights", paramLabel = "per-channel|per-tensor", defaultValue = "per-channel",
            description = "Weight scales per output channel or one per layer (default per-channel).")
    private String weights;

    @Option(names = "--activations", paramLabel = "minmax|percentile:P|entropy", defaultValue = "minmax",
            description = "How activation ranges are chosen (default minmax).")
    private String activations;

    @Option(names = "--keep-float", split = ",", paramLabel = "NAME,...|none", description = "Layers to leave in "
            + "float (default: the first convolution and the classifier; none: quantize them too).")
    private List<String> keepFloat;

    @Option(names = "--threads", paramLabel = "N", description = "ONNX Runtime's threads while calibrating.")
    private int threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (!out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")) {
            throw new IllegalArgumentException("--out " + out + ": a quantized model is written as ONNX (.onnx)");
        }
        Outputs.refuseInput(out, model);
        Quantizer.Options options = Quantizer.Options.defaults().with(Quantizer.Weights.parse(weights))
                .with(Calibration.parse(activations)).withImages(images).withThreads(threads)
                .withKeepFloat(keepFloat == null ? null : keepFloat.equals(List.of("none")) ? List.of() : keepFloat);
        Dataset dataset = Datasets.open(new Datasets.Source(calibrationPath(err), null, null, null, "train"));
        int total = Math.min(images, dataset.samples().size()) * (options.activations().toString().equals("minmax")
                ? 1 : 2);
        Quantizer.Result result;
        try (ProgressBar bar = ProgressBars.items("calibrating", "img", total)) {
            result = Quantizer.quantize(model, dataset, options, note -> {
                err.println("repzoo: " + note);
                err.flush();
            }, bar::stepBy);
        }
        OnnxFiles.write(out, result.model());
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf(Locale.ROOT, "wrote %s: %d layers quantized (weights %s int8, activations uint8 by %s on %d "
                        + "images), in float: %s; %.1f MB%n", out, result.quantized().size(), options.weights(),
                options.activations(), result.calibrationImages(), result.keptFloat().isEmpty() ? "nothing"
                        : String.join(", ", result.keptFloat()), Files.size(out) / 1e6);
        printer.flush();
        return 0;
    }

    private Path calibrationPath(PrintWriter err) throws Exception {
        if (TrainingData.FASHION_MNIST_NAME.equals(calibration)) {
            FashionMnist.ensure(calibration, true, err);
            return TrainingData.FASHION_MNIST;
        }
        return Path.of(calibration);
    }
}
