package org.repzoo.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.repzoo.deploy.OnnxModelWriter;
import org.repzoo.deploy.onnx.OnnxExport;
import org.repzoo.weights.CheckpointExport;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.KeyScheme;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model zip as a PyTorch state_dict or as an ONNX file.",
                "A state_dict (.npz or .safetensors, float32) carries the reference implementation's key names and "
                        + "loads with load_state_dict. An ONNX file (.onnx) has one input 'input' (float32 NCHW, "
                        + "dynamic batch), one output 'logits', initializers named by the state_dict keys and the "
                        + "model's preprocessing in its metadata."})
final class ExportCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", paramLabel = "MODEL.zip", description = "A model zip (from 'repzoo import' or DL4J).")
    private Path model;

    @Option(names = "--out", required = true, paramLabel = "FILE.npz|FILE.safetensors|FILE.onnx",
            description = "The file to write.")
    private Path out;

    @Option(names = "--opset", paramLabel = "N", description = "ONNX operator set, "
            + OnnxExport.MIN_OPSET + ".." + OnnxExport.MAX_OPSET + " (default " + OnnxExport.DEFAULT_OPSET + ")")
    private Integer opset;

    @Option(names = "--keep-aux", description = "ONNX: keep the auxiliary classifiers as further outputs, named after "
            + "their layers (default: the main head only)")
    private boolean keepAux;

    @Option(names = "--input", paramLabel = "CxHxW", description = "ONNX: the input size to export at (default: the "
            + "model's; it matters only for nets whose height and width cannot stay dynamic, such as VGG)")
    private String input;

    @Option(names = "--scheme", paramLabel = "reference|timm",
            description = "Key names to write (default: those the weights were imported with).")
    private String scheme;

    @Override
    public Integer call() throws Exception {
        boolean onnx = out.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".onnx");
        if (!onnx && (opset != null || keepAux || input != null)) {
            throw new IllegalArgumentException("--opset, --keep-aux and --input are for ONNX: --out FILE.onnx");
        }
        if (onnx) {
            Outputs.refuseInput(out, model);
            OnnxModelWriter.Written written = OnnxModelWriter.fromZip(model, out, opset == null
                    ? OnnxExport.DEFAULT_OPSET : opset, keepAux, input == null ? null : InputShape.parse(input));
            spec.commandLine().getOut().printf("wrote %s: %d nodes, %d initializers, %.1f MB; input '%s' %s "
                            + "(batch%s dynamic), outputs %s%n", out, written.nodes(), written.initializers(),
                    written.bytes() / 1e6, OnnxExport.INPUT, written.input(),
                    written.dynamicSpatial() ? ", height and width" : "", written.outputs());
            spec.commandLine().getOut().flush();
            return 0;
        }
        CheckpointExport.Format.of(out);
        Outputs.refuseInput(out, model);
        Map<String, StoredTensor> state = CheckpointExport.stateDict(model, scheme == null ? null : KeyScheme.of(scheme));
        CheckpointExport.write(state, out);
        spec.commandLine().getOut().printf("wrote %d tensors to %s%n", state.size(), out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
