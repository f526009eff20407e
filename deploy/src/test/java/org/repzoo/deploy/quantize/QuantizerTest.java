package org.repzoo.deploy.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.deploy.onnx.OnnxExport;
import org.repzoo.deploy.onnx.OnnxFiles;
import org.repzoo.deploy.onnx.OnnxMetadata;
import org.repzoo.deploy.onnx.proto.Onnx;
import org.repzoo.deploy.ort.OrtModel;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Datasets;
import org.repzoo.evaluation.image.ImageDecoder;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.evaluation.model.GraphModel;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.core.ModelOptions;

/**
 * The quantizer end to end on a RepVGG train form: converted and folded first, weights stored as int8, every quantized
 * layer in ONNX Runtime's QDQ pattern, logits close to the float model's on real images, and refusals named.
 */
class QuantizerTest {

    @TempDir
    static Path dir;
    private static Path zip;
    private static Dataset images;
    private static final EvalPreset PRESET = EvalPreset.torchvision(72, 64);

    @BeforeAll
    static void model() throws IOException {
        InputShape input = InputShape.of(3, 64, 64);
        ComputationGraph train = Zoo.registry().get("repvgg_a0").init(ModelOptions.defaults().withClasses(3)
                .withInput(input));
        Nd4j.getRandom().setSeed(3);
        // Batch-norm statistics that are not the identity, so that folding matters.
        for (var entry : train.paramTable().entrySet()) {
            if (entry.getKey().endsWith("_var")) {
                entry.getValue().assign(Nd4j.rand(DataType.FLOAT, entry.getValue().shape()).addi(0.5));
            } else if (entry.getKey().endsWith("_mean")) {
                entry.getValue().assign(Nd4j.randn(DataType.FLOAT, entry.getValue().shape()).muli(0.1));
            }
        }
        zip = dir.resolve("a0.zip");
        ModelFiles.save(train, zip, Map.of(ModelFiles.PROVENANCE, org.repzoo.zoo.core.Provenance.trained(
                "repvgg_a0", input.toString(), PRESET, List.of("bird", "cat", "dog")).toJson()));
        images = Datasets.open(new Datasets.Source(EvalSet.imageFolder(dir), null, null, null, "train"));
    }

    @Test
    void aTrainFormBecomesAnInt8DeployFormThatPredictsLikeTheFloatOne() throws IOException {
        StringBuilder notes = new StringBuilder();
        Quantizer.Result result = Quantizer.quantize(zip, images, Quantizer.Options.defaults(),
                note -> notes.append(note).append('\n'), done -> { });
        assertTrue(notes.toString().contains("converted 22 RepVGG blocks to the deploy form first"), notes.toString());
        Onnx.GraphProto graph = result.model().getGraph();
        assertEquals(List.of("stage0.rbr_reparam", "linear"), result.keptFloat(), "the first conv and the classifier");
        assertEquals(21, graph.getNodeList().stream().filter(n -> n.getOpType().equals("Conv")
                && n.getInput(1).endsWith("/dequantized")).count(), "21 of the 22 convolutions read int8 weights");
        long int8 = graph.getInitializerList().stream().filter(t -> t.getDataType()
                == Onnx.TensorProto.DataType.INT8.getNumber()).mapToLong(t -> t.getRawData().size()).sum();
        long float32 = graph.getInitializerList().stream().filter(t -> t.getDataType()
                == Onnx.TensorProto.DataType.FLOAT.getNumber()).mapToLong(t -> t.getRawData().size()).sum();
        assertTrue(int8 > 4 * float32, "weights stored as int8: " + int8 + " int8 bytes, " + float32 + " float");

        Path file = dir.resolve("a0.int8.onnx");
        OnnxFiles.write(file, result.model());
        ComputationGraph deploy = org.repzoo.reparam.Reparameterizer.reparameterize(ModelFiles.load(zip));
        int agree = 0;
        double worst = 0;
        try (OrtModel quantized = OrtModel.open(file, 1)) {
            for (var sample : images.samples()) {
                float[] x = Preprocessing.apply(ImageDecoder.read(Path.of(sample.path())), PRESET);
                float[] expected = new GraphModel(deploy).logits(x, 1, 3, 64, 64);
                float[] actual = quantized.logits(x, 1, 3, 64, 64);
                agree += argmax(expected) == argmax(actual) ? 1 : 0;
                double scale = 0;
                double gap = 0;
                for (int c = 0; c < expected.length; c++) {
                    scale = Math.max(scale, Math.abs(expected[c]));
                    gap = Math.max(gap, Math.abs(expected[c] - actual[c]));
                }
                worst = Math.max(worst, gap / scale);
            }
        }
        assertTrue(agree >= images.samples().size() - 1, agree + " of " + images.samples().size() + " agree");
        // Random weights through 21 quantized layers, ranges from 6 images: a loose bound (the exact check of the
        // arithmetic is the PyTorch fake-quantization fixture, QuantizedOnnxParityTest).
        assertTrue(worst < 0.2, "logits within 20% of the float model's largest, worst " + worst);
    }

    @Test
    void anAlreadyQuantizedModelAndUnknownLayersAreRefused() throws IOException {
        Quantizer.Result result = Quantizer.quantize(zip, images, Quantizer.Options.defaults().withImages(2),
                note -> { }, done -> { });
        Path file = dir.resolve("twice.int8.onnx");
        OnnxFiles.write(file, result.model());
        IOException twice = assertThrows(IOException.class, () -> Quantizer.quantize(file, images,
                Quantizer.Options.defaults(), note -> { }, done -> { }));
        assertEquals(file + ": is already quantized (it has QuantizeLinear nodes)", twice.getMessage());
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> Quantizer.quantize(zip,
                images, Quantizer.Options.defaults().withKeepFloat(List.of("stem")), note -> { }, done -> { }));
        assertTrue(unknown.getMessage().startsWith("no node named 'stem' to keep in float"), unknown.getMessage());
    }

    @Test
    void aFloatOnnxFileWithBatchNormsIsFoldedFirst() throws IOException {
        ComputationGraph graph = Zoo.registry().get("resnet18").init(ModelOptions.defaults().withClasses(3)
                .withInput(InputShape.of(3, 64, 64)));
        Path onnx = dir.resolve("r18.onnx");
        OnnxFiles.write(onnx, OnnxExport.export(graph, OnnxExport.Options.of(InputShape.of(3, 64, 64)),
                new OnnxMetadata("resnet18", InputShape.of(3, 64, 64), PRESET, null, null).properties()));
        StringBuilder notes = new StringBuilder();
        Quantizer.Result result = Quantizer.quantize(onnx, images, Quantizer.Options.defaults().withImages(3)
                .withKeepFloat(List.of()), note -> notes.append(note), done -> { });
        assertEquals("folded 20 conv + BatchNorm pairs", notes.toString());
        assertTrue(result.keptFloat().isEmpty());
        assertTrue(result.model().getGraph().getNodeList().stream().noneMatch(n -> n.getOpType()
                .equals("BatchNormalization")));
        assertTrue(Files.size(onnx) > 0);
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
