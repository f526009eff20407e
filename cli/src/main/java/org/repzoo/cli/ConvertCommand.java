package org.repzoo.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repzoo.bench.ModelBenchmark;
import org.repzoo.deploy.OnnxModelWriter;
import org.repzoo.deploy.onnx.OnnxExport;
import org.repzoo.evaluation.model.GraphModel;
import org.repzoo.reparam.Conversion;
import org.repzoo.reparam.NothingToConvertException;
import org.repzoo.zoo.core.InputShape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Re-parameterise a trained RepVGG model zip into its deploy form (each block one 3x3 conv + "
                + "ReLU), or fold conv + BatchNorm pairs of any model with --fold-bn. Checks the result on a random "
                + "input and prints the differences, parameter counts and inference speed before and after."})
final class ConvertCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "IN.zip", description = "A model zip (from 'repzoo import' or DL4J).")
    private Path in;

    @Option(names = "--out", required = true, paramLabel = "OUT.zip|OUT.onnx",
            description = "The converted model: a model zip, or ONNX (.onnx) for deployment.")
    private Path out;

    @Option(names = "--opset", paramLabel = "N", description = "With OUT.onnx: the ONNX operator set (default "
            + OnnxExport.DEFAULT_OPSET + ").")
    private Integer opset;

    @Option(names = "--fold-bn", description = "Also fold every convolution + BatchNorm pair (any architecture).")
    private boolean foldBatchNorm;

    @Option(names = "--force", description = "Replace OUT.zip if it exists.")
    private boolean force;

    @Override
    public Integer call() throws Exception {
        Outputs.refuseInput(out, in);
        if (Files.exists(out) && !force) {
            throw new IllegalArgumentException(out + " exists (use --force to replace it)");
        }
        boolean onnx = out.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx");
        if (opset != null && !onnx) {
            throw new IllegalArgumentException("--opset is for ONNX: --out OUT.onnx");
        }
        PrintWriter printer = spec.commandLine().getOut();
        Conversion.Converted converted;
        try {
            converted = onnx ? Conversion.convert(in, foldBatchNorm) : Conversion.run(in, out, foldBatchNorm);
        } catch (NothingToConvertException e) {
            throw e.foldingWouldHelp()
                    ? new IllegalArgumentException(e.getMessage() + " (use --fold-bn to fold its convolution"
                            + " + BatchNorm pairs)", e)
                    : e;
        }
        Conversion.Report report = converted.report();
        if (onnx) {
            OnnxModelWriter.Written written = OnnxModelWriter.fromGraph(converted.graph(), converted.provenance(), out,
                    opset == null ? OnnxExport.DEFAULT_OPSET : opset, false);
            printer.printf("wrote %s: %d nodes, %d initializers, %.1f MB%n", out, written.nodes(),
                    written.initializers(), written.bytes() / 1e6);
        }
        printer.printf("converted %d RepVGG blocks, folded %d conv + BatchNorm pairs -> %s%n", report.blocks(),
                report.foldedPairs(), out);
        printer.printf("check on a random %s input (batch 2): max |difference| %.3g, relative to max |logit| %.3g%n",
                report.input(), report.maxAbsDifference(), report.maxRelativeDifference());
        printer.printf("parameters %s -> %s%n", Formats.count(report.parametersBefore()), Formats.count(report.parametersAfter()));
        Table table = new Table("batch", "before img/s", "after img/s", "speed-up").rightAlign(0, 1, 2, 3);
        for (Speed s : speeds(converted)) {
            table.row(Integer.toString(s.batch()), String.format("%.1f", s.before()), String.format("%.1f", s.after()),
                    String.format("%.2fx", s.after() / s.before()));
        }
        table.print(printer);
        printer.flush();
        return 0;
    }

    /** Images per second of the model before and after the conversion at one batch size. */
    private record Speed(int batch, double before, double after) {
    }

    /** A quick speed figure at batch 1 and 16 (one warm-up, the median of three): {@code bench} is for careful ones. */
    private static List<Speed> speeds(Conversion.Converted converted) {
        InputShape input = converted.report().input();
        List<Speed> speeds = new ArrayList<>();
        for (int batch : new int[] {1, 16}) {
            ModelBenchmark.Settings settings = new ModelBenchmark.Settings(batch, ModelBenchmark.Mode.INFER, 1, 3, 0);
            speeds.add(new Speed(batch,
                    ModelBenchmark.imagesPerSecond(new GraphModel(converted.source()), input, settings),
                    ModelBenchmark.imagesPerSecond(new GraphModel(converted.graph()), input, settings)));
        }
        return speeds;
    }
}
