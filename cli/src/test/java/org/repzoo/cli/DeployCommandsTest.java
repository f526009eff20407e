package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.weights.HashedWeights;
import org.repzoo.weights.Tensors;
import org.repzoo.weights.format.Npy;

/**
 * Deployment through the command line: export and convert to ONNX, and predict, eval and bench on ONNX Runtime (from
 * the zip or the .onnx) agreeing with DL4J; and every bad input of that path answered with one line and exit code 2.
 */
class DeployCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static Path resnet;
    private static Path input;

    @BeforeAll
    static void importResNet() throws Exception {
        resnet = Cli.imported(dir, "resnet18");
        input = dir.resolve("x.npy");
        Npy.write(input, Tensors.fromArray(HashedWeights.tensor("input", new long[] {3, 3, 224, 224})));
    }

    private static INDArray predict(Object... args) throws Exception {
        Path y = dir.resolve("y" + Arrays.hashCode(args) + ".npy");
        Object[] all = new Object[args.length + 5];
        all[0] = "predict";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--input";
        all[args.length + 2] = input;
        all[args.length + 3] = "--output";
        all[args.length + 4] = y;
        Cli.Run run = Cli.run(all);
        assertEquals(0, run.code(), run.err());
        return Tensors.toFloatArray(Npy.read(y), "y");
    }

    private static void assertSameLogits(INDArray expected, INDArray actual, double relative) {
        double gap = expected.sub(actual).amaxNumber().doubleValue() / expected.amaxNumber().doubleValue();
        assertTrue(gap <= relative, "relative gap " + gap);
        assertArrayEquals(expected.argMax(1).toLongVector(), actual.argMax(1).toLongVector());
    }

    @Test
    void theExportRunsOnOnnxRuntimeAsTheZipOnDl4j() throws Exception {
        Path onnx = dir.resolve("r18.onnx");
        Cli.Run exported = Cli.run("export", resnet, "--out", onnx);
        assertEquals(0, exported.code(), exported.err());
        assertTrue(exported.out().startsWith("wrote " + onnx + ": "), exported.out());
        assertTrue(exported.out().contains("(batch, height and width dynamic), outputs [logits]"), exported.out());

        INDArray unfolded = predict(resnet, "--no-fold");
        assertSameLogits(unfolded, predict(resnet), 1e-5);
        assertSameLogits(unfolded, predict(onnx), 1e-4);
        assertSameLogits(unfolded, predict(resnet, "--engine", "onnxruntime", "--threads", "1"), 1e-4);
    }

    @Test
    void evalOnOnnxRuntimeGivesDl4jsPredictionsUnderEveryKindOfProtocol() throws Exception {
        Path onnx = dir.resolve("r18-eval.onnx");
        assertEquals(0, Cli.run("export", resnet, "--out", onnx).code());
        Path images = EvalSet.imageFolder(dir);
        List<List<String>> predictions = new ArrayList<>();
        Object[][] models = {{resnet}, {resnet, "--engine", "onnxruntime"}, {onnx}};
        for (int i = 0; i < models.length; i++) {
            Path csv = dir.resolve("predictions" + i + ".csv");
            List<Object> args = new ArrayList<>(List.of("eval"));
            args.addAll(List.of(models[i]));
            args.addAll(List.of("--data", images, "--compare", "single,ten-crop,dense", "--scales",
                    "224,256", "--predictions", csv));
            Cli.Run run = Cli.run(args.toArray());
            assertEquals(0, run.code(), run.err());
            predictions.add(Files.readAllLines(csv));
        }
        assertEquals(1 + 6 * 3, predictions.get(0).size(), "a header and 6 images under 3 protocols");
        assertEquals(predictions.get(0), predictions.get(1), "the zip on ONNX Runtime: each image's top-5");
        assertEquals(predictions.get(0), predictions.get(2), "the .onnx: each image's top-5");
    }

    @Test
    void convertWritesTheDeployFormStraightToOnnx() throws Exception {
        Path train = Cli.imported(dir, "repvgg_a0");
        Path deploy = dir.resolve("a0-deploy.onnx");
        Cli.Run converted = Cli.run("convert", train, "--out", deploy);
        assertEquals(0, converted.code(), converted.err());
        assertTrue(converted.out().contains("converted 22 RepVGG blocks"), converted.out());
        assertSameLogits(predict(train), predict(deploy), 1e-4);
    }

    @Test
    void benchTimesOnnxRuntimeAndSaysSo() throws Exception {
        Path json = dir.resolve("bench.json");
        Cli.Run run = Cli.run("bench", "repvgg_a0_deploy", "--input", "3x64x64", "--batch", "2", "--warmup", "1",
                "--iterations", "2", "--engine", "onnxruntime", "--json", json);
        assertEquals(0, run.code(), run.err());
        JsonNode report = JSON.readTree(json.toFile());
        assertEquals("onnxruntime", report.get("engine").asText());
        assertTrue(report.get("results").get(0).get("images_per_second").get("median").asDouble() > 0);
        Cli.Run train = Cli.run("bench", "resnet18", "--mode", "train", "--engine", "onnxruntime");
        assertEquals(Main.USAGE, train.code());
        assertEquals("repzoo: training steps run on DL4J: --mode train takes --engine dl4j", train.err().trim());
    }

    @Test
    void badInputsOfTheDeploymentPathAreOneLine() throws Exception {
        Cli.Run engine = Cli.run("predict", resnet, "--engine", "tensorrt", "--input", input, "--output",
                dir.resolve("never.npy"));
        assertEquals(Main.USAGE, engine.code());
        assertEquals("repzoo: unknown engine 'tensorrt': choose dl4j or onnxruntime", engine.err().trim());
        assertFalse(Files.exists(dir.resolve("never.npy")));

        Path onnx = dir.resolve("bad-inputs.onnx");
        assertEquals(0, Cli.run("export", resnet, "--out", onnx).code());
        Cli.Run dl4j = Cli.run("predict", onnx, "--engine", "dl4j", "--input", input, "--output", dir.resolve("n.npy"));
        assertEquals(Main.USAGE, dl4j.code());
        assertTrue(dl4j.err().startsWith("repzoo: --engine dl4j cannot run " + onnx + ": an ONNX model runs on ONNX"
                + " Runtime"), dl4j.err());

        Path truncated = dir.resolve("truncated.onnx");
        byte[] whole = Files.readAllBytes(onnx);
        Files.write(truncated, Arrays.copyOf(whole, whole.length / 3));
        Cli.Run cut = Cli.run("predict", truncated, "--input", input, "--output", dir.resolve("n.npy"));
        assertEquals(Main.USAGE, cut.code());
        assertTrue(cut.err().startsWith("repzoo: " + truncated + ": ONNX Runtime cannot load it as a model"),
                cut.err());
        assertEquals(1, cut.err().trim().lines().count(), cut.err());

        Path grey = dir.resolve("grey.npy");
        Npy.write(grey, Tensors.fromArray(HashedWeights.tensor("grey", new long[] {1, 1, 64, 64})));
        Cli.Run channels = Cli.run("predict", onnx, "--input", grey, "--output", dir.resolve("n.npy"));
        assertEquals(Main.USAGE, channels.code());
        assertEquals("repzoo: bad-inputs.onnx takes 3x?x? images, got 1x64x64", channels.err().trim());

        Cli.Run opset = Cli.run("export", resnet, "--out", dir.resolve("o.onnx"), "--opset", "8");
        assertEquals(Main.USAGE, opset.code());
        assertEquals("repzoo: ONNX opset 8 is not supported: choose 13 to 21", opset.err().trim());
        assertFalse(Files.exists(dir.resolve("o.onnx")));

        Cli.Run notOnnx = Cli.run("export", resnet, "--out", dir.resolve("w.npz"), "--keep-aux");
        assertEquals(Main.USAGE, notOnnx.code());
        assertFalse(Files.exists(dir.resolve("w.npz")));
    }
}
