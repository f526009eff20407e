package org.repzoo.deploy.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.repzoo.deploy.onnx.proto.Onnx;
import org.repzoo.deploy.ort.OrtModel;
import org.repzoo.evaluation.model.GraphModel;
import org.repzoo.reparam.BatchNormFolder;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.WeightKeys;

/** The exported file's shape as a user of it sees it: names, dimensions, outputs, metadata, and what it refuses. */
class OnnxExportTest {

    private static final InputShape SMALL = InputShape.of(3, 64, 64);

    private static ComputationGraph init(String name) {
        return Zoo.registry().get(name).init(ModelOptions.defaults().withClasses(7).withInput(SMALL));
    }

    @Test
    void initializersAreTheStateDictKeysAndTheInputIsDynamicBehindGlobalPooling() {
        ComputationGraph graph = init("resnet18");
        Onnx.ModelProto model = OnnxExport.export(graph, OnnxExport.Options.of(SMALL), Map.of());
        Set<String> keys = WeightKeys.torchParams(graph.getConfiguration()).values().stream()
                .map(WeightKeys.TorchParam::key).collect(Collectors.toCollection(TreeSet::new));
        Set<String> initializers = model.getGraph().getInitializerList().stream().map(Onnx.TensorProto::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(keys, initializers);
        Onnx.TensorProto fc = model.getGraph().getInitializerList().stream()
                .filter(t -> t.getName().equals("fc.weight")).findFirst().orElseThrow();
        assertEquals(List.of(7L, 512L), fc.getDimsList(), "nn.Linear's [out, in]");
        assertEquals(List.of("batch", "3", "height", "width"), dims(model.getGraph().getInput(0)));
        assertEquals("input", model.getGraph().getInput(0).getName());
        assertEquals(List.of("batch", "7"), dims(model.getGraph().getOutput(0)));
        assertEquals("logits", model.getGraph().getOutput(0).getName());
        assertEquals(17, model.getOpsetImport(0).getVersion());
        assertEquals(8, model.getIrVersion());
        assertTrue(model.getGraph().getNodeList().stream().anyMatch(n -> n.getName().equals("layer1.0.conv1")));
    }

    @Test
    void aGraphWithItsBatchNormsFoldedExportsAsPlainConvolutions(@TempDir Path dir) throws IOException {
        ComputationGraph graph = init("resnet18");
        ComputationGraph folded = BatchNormFolder.foldBatchNorm(graph);
        Onnx.ModelProto model = OnnxExport.export(folded, OnnxExport.Options.of(SMALL), Map.of());
        assertTrue(model.getGraph().getNodeList().stream().noneMatch(n -> n.getOpType().equals("BatchNormalization")));
        Path file = dir.resolve("folded.onnx");
        OnnxFiles.write(file, model);
        float[] pixels = new float[2 * 3 * 64 * 64];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) Math.sin(i * 0.37);
        }
        float[] expected = new GraphModel(graph).logits(pixels, 2, 3, 64, 64);
        try (OrtModel onnx = OrtModel.open(file, 1)) {
            float[] actual = onnx.logits(pixels, 2, 3, 64, 64);
            double scale = 0;
            for (float v : expected) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-4 * scale, "logit " + i);
            }
        }
    }

    @Test
    void aNetThatFlattensAFeatureMapFixesItsInputSize() {
        Onnx.ModelProto model = OnnxExport.export(init("vgg11"), OnnxExport.Options.of(SMALL).withOpset(13), Map.of());
        assertEquals(List.of("batch", "3", "64", "64"), dims(model.getGraph().getInput(0)));
        assertEquals(7, model.getIrVersion());
    }

    @Test
    void auxiliaryHeadsAreLeftOutUnlessKept() {
        ComputationGraph graph = init("googlenet");
        Onnx.ModelProto main = OnnxExport.export(graph, OnnxExport.Options.of(SMALL), Map.of());
        assertEquals(List.of("logits"), outputs(main));
        assertTrue(main.getGraph().getNodeList().stream().noneMatch(n -> n.getName().startsWith("aux")),
                "the auxiliary heads' nodes go with them");
        Onnx.ModelProto all = OnnxExport.export(graph, OnnxExport.Options.of(SMALL).withAuxiliary(true), Map.of());
        assertEquals(List.of("logits", "aux1.fc2", "aux2.fc2"), outputs(all));
    }

    @Test
    void metadataCarriesThePresetAndProvenance(@TempDir Path dir) throws IOException {
        EvalPreset preset = EvalPreset.torchvision(36, 32);
        OnnxMetadata metadata = new OnnxMetadata("resnet18", SMALL, preset, List.of("a", "b"), "{\"x\": 1}");
        Path file = dir.resolve("m.onnx");
        OnnxFiles.write(file, OnnxExport.export(init("resnet18"), OnnxExport.Options.of(SMALL),
                metadata.properties()));
        Onnx.ModelProto model = OnnxFiles.read(file);
        Map<String, String> properties = model.getMetadataPropsList().stream().collect(Collectors.toMap(
                Onnx.StringStringEntryProto::getKey, Onnx.StringStringEntryProto::getValue));
        assertEquals(metadata, OnnxMetadata.read(file, properties).orElseThrow());
        assertEquals("{\"x\": 1}", properties.get("repzoo.provenance"));
    }

    @Test
    void aLayerWithoutMappingIsRefusedByName() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder().addInputs("input")
                .setInputTypes(InputType.convolutional(8, 8, 3))
                .addLayer("up", new Deconvolution2D.Builder(2, 2).nOut(4).stride(2, 2).build(), "input")
                .addLayer("pool", new GlobalPoolingLayer.Builder().build(), "up")
                .addLayer("fc", new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2)
                        .activation(Activation.SOFTMAX).build(), "pool")
                .setOutputs("fc").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        OnnxExportException e = assertThrows(OnnxExportException.class,
                () -> OnnxExport.export(graph, OnnxExport.Options.of(InputShape.of(3, 8, 8)), Map.of()));
        assertTrue(e.getMessage().startsWith("vertex up is a Deconvolution2D, which has no ONNX mapping"),
                e.getMessage());
    }

    @Test
    void opsetsOutsideTheSupportedRangeAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.Options.of(SMALL).withOpset(9));
        assertEquals("ONNX opset 9 is not supported: choose 13 to 21", e.getMessage());
    }

    @Test
    void aFileThatIsNotOnnxIsNamed(@TempDir Path dir) throws IOException {
        Path text = dir.resolve("x.onnx");
        Files.writeString(text, "hello");
        IOException e = assertThrows(IOException.class, () -> OnnxFiles.read(text));
        assertTrue(e.getMessage().startsWith(text + ": not an ONNX model"), e.getMessage());
    }

    private static List<String> dims(Onnx.ValueInfoProto value) {
        return value.getType().getTensorType().getShape().getDimList().stream()
                .map(d -> d.hasDimParam() ? d.getDimParam() : Long.toString(d.getDimValue())).toList();
    }

    private static List<String> outputs(Onnx.ModelProto model) {
        return model.getGraph().getOutputList().stream().map(Onnx.ValueInfoProto::getName).toList();
    }
}
