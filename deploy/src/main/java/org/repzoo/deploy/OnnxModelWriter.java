package org.repzoo.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.deploy.onnx.OnnxExport;
import org.repzoo.deploy.onnx.OnnxFiles;
import org.repzoo.deploy.onnx.OnnxMetadata;
import org.repzoo.deploy.onnx.proto.Onnx.ModelProto;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.core.Provenance;

/**
 * Writes RepZoo models as ONNX files: a model zip ({@code repzoo export MODEL.zip --out MODEL.onnx}) or a graph just
 * made from one ({@code repzoo convert IN.zip --out OUT.onnx}), with the zip's provenance, preset and class names in
 * the file's metadata ({@link OnnxMetadata}).
 */
public final class OnnxModelWriter {

    /** What was written. */
    public record Written(Path file, InputShape input, boolean dynamicSpatial, int nodes, int initializers,
                          long bytes, List<String> outputs) {
    }

    private OnnxModelWriter() {
    }

    /**
     * Exports the model zip {@code zip} to {@code out}; {@code input} overrides the size it was built for (null: its
     * provenance's, else its architecture's). Nothing is written if the graph has a vertex ONNX cannot express.
     */
    public static Written fromZip(Path zip, Path out, int opset, boolean keepAuxiliary, InputShape input)
            throws IOException {
        ComputationGraph graph = ModelFiles.load(zip);
        Optional<Provenance> provenance = Provenance.of(zip);
        EvalPreset preset = Member.presetOf(zip, note -> { });
        return write(graph, provenance.map(Provenance::toJson).orElse(null), provenance, preset, out, opset,
                keepAuxiliary, input);
    }

    /**
     * Exports {@code graph}, which was made from a zip whose provenance JSON is {@code provenanceJson} (null: none),
     * to {@code out}.
     */
    public static Written fromGraph(ComputationGraph graph, String provenanceJson, Path out, int opset,
                                    boolean keepAuxiliary) throws IOException {
        Optional<Provenance> provenance = Optional.ofNullable(provenanceJson).map(Provenance::fromJson);
        EvalPreset preset = provenance.map(Provenance::preset)
                .or(() -> provenance.map(Provenance::architecture).flatMap(Member::registeredPreset))
                .orElse(EvalPreset.TORCHVISION_IMAGENET);
        return write(graph, provenanceJson, provenance, preset, out, opset, keepAuxiliary, null);
    }

    private static Written write(ComputationGraph graph, String provenanceJson, Optional<Provenance> provenance,
                                 EvalPreset preset, Path out, int opset, boolean keepAuxiliary, InputShape input)
            throws IOException {
        InputShape shape = input != null ? input : InferenceModels.inputOf(provenance, preset);
        OnnxMetadata metadata = new OnnxMetadata(provenance.map(Provenance::architecture).orElse(null), shape, preset,
                provenance.map(Provenance::classNames).orElse(null), provenanceJson);
        ModelProto model = OnnxExport.export(graph, new OnnxExport.Options(opset, keepAuxiliary, shape),
                metadata.properties());
        OnnxFiles.write(out, model);
        var dims = model.getGraph().getInput(0).getType().getTensorType().getShape();
        return new Written(out, shape, dims.getDim(2).hasDimParam(), model.getGraph().getNodeCount(),
                model.getGraph().getInitializerCount(), Files.size(out),
                model.getGraph().getOutputList().stream().map(o -> o.getName()).toList());
    }
}
