package org.repzoo.deploy.ort;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.deploy.onnx.OnnxExport;
import org.repzoo.deploy.onnx.OnnxFiles;
import org.repzoo.deploy.onnx.proto.Onnx;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFileException;
import org.repzoo.zoo.core.ModelOptions;

/** What ONNX Runtime is given that is not an image classifier, or not ONNX at all: one message naming the file. */
class OrtModelTest {

    @TempDir
    static Path temp;
    private static Path vgg;

    @BeforeAll
    static void export() throws IOException {
        // VGG-11 fixes its input size (its classifier flattens a 2x2 map at 64x64).
        InputShape input = InputShape.of(3, 64, 64);
        ComputationGraph graph = Zoo.registry().get("vgg11").init(ModelOptions.defaults().withClasses(5)
                .withInput(input));
        vgg = temp.resolve("vgg11.onnx");
        OnnxFiles.write(vgg, OnnxExport.export(graph, OnnxExport.Options.of(input), Map.of("k", "v")));
    }

    @Test
    void aTruncatedFileIsNotLoaded() throws IOException {
        byte[] whole = Files.readAllBytes(vgg);
        Path half = temp.resolve("half.onnx");
        Files.write(half, Arrays.copyOf(whole, whole.length / 2));
        ModelFileException e = assertThrows(ModelFileException.class, () -> OrtModel.open(half, 1));
        assertTrue(e.getMessage().startsWith(half + ": ONNX Runtime cannot load it as a model ("), e.getMessage());
        assertEquals(-1, e.getMessage().indexOf('\n'), "one line");
    }

    @Test
    void aForeignFileIsNotLoaded() throws IOException {
        Path text = temp.resolve("notes.onnx");
        Files.writeString(text, "these are not the weights you are looking for\n");
        ModelFileException e = assertThrows(ModelFileException.class, () -> OrtModel.open(text, 1));
        assertTrue(e.getMessage().startsWith(text + ": "), e.getMessage());
        assertThrows(ModelFileException.class, () -> OrtModel.open(temp.resolve("missing.onnx"), 1));
    }

    @Test
    void aModelWhoseInputIsNoImageIsRefused() throws IOException {
        // y = x + x with x of shape [N, 10]: a valid model, but not of images.
        Onnx.ModelProto model = Onnx.ModelProto.newBuilder().setIrVersion(8)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setVersion(17))
                .setGraph(Onnx.GraphProto.newBuilder().setName("vector")
                        .addNode(Onnx.NodeProto.newBuilder().setOpType("Add").addInput("x").addInput("x").addOutput("y"))
                        .addInput(tensor("x", 10)).addOutput(tensor("y", 10)))
                .build();
        Path file = temp.resolve("vector.onnx");
        OnnxFiles.write(file, model);
        ModelFileException e = assertThrows(ModelFileException.class, () -> OrtModel.open(file, 1));
        assertTrue(e.getMessage().startsWith(file + ": takes "), e.getMessage());
        assertTrue(e.getMessage().contains("an image classifier takes a float tensor of rank 4 (NCHW)"),
                e.getMessage());
    }

    @Test
    void imagesOfAnotherSizeThanAFixedInputAreRefusedBeforeTheyRun() throws IOException {
        try (OrtModel model = OrtModel.open(vgg, 1)) {
            assertEquals("v", model.metadata().get("k"));
            assertEquals(64, model.inputShape()[2]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> model.logits(new float[3 * 32 * 32], 1, 3, 32, 32));
            assertEquals("vgg11.onnx takes 3x64x64 images, got 3x32x32", e.getMessage());
            assertEquals(10, model.logits(new float[2 * 3 * 64 * 64], 2, 3, 64, 64).length);
        }
    }

    @Test
    void aModelOpenedForOneSizeIsPlannedForItsFirstImagesAndGivesTheSameLogits() throws Exception {
        // ResNet-18 ends in global pooling: its height and width are dynamic ("height", "width").
        InputShape input = InputShape.of(3, 64, 64);
        ComputationGraph graph = Zoo.registry().get("resnet18").init(ModelOptions.defaults().withClasses(5)
                .withInput(input));
        Path file = temp.resolve("resnet18.onnx");
        OnnxFiles.write(file, OnnxExport.export(graph, OnnxExport.Options.of(input), Map.of()));
        float[] images = new float[2 * 3 * 64 * 64];
        for (int i = 0; i < images.length; i++) {
            images[i] = (float) Math.sin(i * 0.37);
        }
        AtomicInteger released = new AtomicInteger();
        try (OrtModel any = OrtModel.open(file, 1);
             OrtModel one = OrtModel.open(file, 1, "resnet18.onnx", OrtModel.Sizes.ONE, released::incrementAndGet)) {
            assertEquals(-1, one.inputShape()[2]);
            assertEquals(0, released.get(), "the file is kept until the session is planned");
            assertEquals(-1, one.sessionInputShape()[2]);
            float[] expected = any.logits(images, 2, 3, 64, 64);
            float[] actual = one.logits(images, 2, 3, 64, 64);
            assertEquals(1, released.get(), "released once planned");
            assertArrayEquals(new long[] {-1, 3, 64, 64}, one.sessionInputShape());
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5 * Math.abs(expected[i]) + 1e-6, "logit " + i);
            }
            assertEquals(5, any.logits(new float[3 * 96 * 96], 1, 3, 96, 96).length);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> one.logits(new float[3 * 96 * 96], 1, 3, 96, 96));
            assertEquals("resnet18.onnx was planned for the run's one image size, 64x64, and got 96x96",
                    e.getMessage());
        }
        assertTrue(released.get() >= 1, "released when closed");
    }

    private static Onnx.ValueInfoProto tensor(String name, long width) {
        return Onnx.ValueInfoProto.newBuilder().setName(name).setType(Onnx.TypeProto.newBuilder().setTensorType(
                Onnx.TypeProto.Tensor.newBuilder().setElemType(Onnx.TensorProto.DataType.FLOAT.getNumber())
                        .setShape(Onnx.TensorShapeProto.newBuilder()
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("batch"))
                                .addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(width))))).build();
    }
}
