package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.evaluation.EvalSet;

/** {@code repzoo quantize}: a RepVGG train form to an INT8 file that the other commands run, and its refusals. */
class QuantizeCommandTest {

    @TempDir
    static Path dir;
    private static Path train;
    private static Path images;

    @BeforeAll
    static void importRepVgg() throws Exception {
        train = Cli.imported(dir, "repvgg_a0");
        images = EvalSet.imageFolder(dir);
    }

    @Test
    void aTrainFormBecomesAnInt8FileThatEvalAndBenchRun() throws Exception {
        Path int8 = dir.resolve("a0.int8.onnx");
        Cli.Run run = Cli.run("quantize", train, "--calibration", images, "--out", int8, "--images", "4",
                "--activations", "percentile:99.9");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("repzoo: converted 22 RepVGG blocks to the deploy form first"), run.err());
        assertTrue(run.out().contains("22 layers quantized (weights per-channel int8, activations uint8 by "
                + "percentile:99.9 on 4 images), in float: stage0.rbr_reparam, linear"), run.out());
        Path deploy = dir.resolve("a0-deploy.onnx");
        assertEquals(0, Cli.run("convert", train, "--out", deploy).code());
        assertTrue(Files.size(int8) < Files.size(deploy) / 2.5, Files.size(int8) + " against " + Files.size(deploy));

        Cli.Run eval = Cli.run("eval", int8, "--data", images, "--compare", "single,dense", "--scales", "224,256");
        assertEquals(0, eval.code(), eval.err());
        Cli.Run bench = Cli.run("bench", int8, "--batch", "2", "--warmup", "1", "--iterations", "2");
        assertEquals(0, bench.code(), bench.err());
        assertTrue(bench.out().contains("a0.int8.onnx on onnxruntime"), bench.out());
    }

    @Test
    void badInputsAreOneLineAndWriteNothing() throws Exception {
        Path out = dir.resolve("never.int8.onnx");
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Cli.Run nothing = Cli.run("quantize", train, "--calibration", empty, "--out", out);
        assertEquals(Main.USAGE, nothing.code());
        assertEquals(1, nothing.err().trim().lines().count(), nothing.err());

        Path corrupt = dir.resolve("corrupt.zip");
        byte[] whole = Files.readAllBytes(train);
        Files.write(corrupt, Arrays.copyOf(whole, whole.length / 3));
        Cli.Run broken = Cli.run("quantize", corrupt, "--calibration", images, "--out", out);
        assertEquals(Main.USAGE, broken.code());
        assertTrue(broken.err().startsWith("repzoo: " + corrupt), broken.err());

        Path int8 = dir.resolve("once.int8.onnx");
        assertEquals(0, Cli.run("quantize", train, "--calibration", images, "--out", int8, "--images", "2").code());
        Cli.Run twice = Cli.run("quantize", int8, "--calibration", images, "--out", out);
        assertEquals(Main.USAGE, twice.code());
        assertEquals("repzoo: " + int8 + ": is already quantized (it has QuantizeLinear nodes)", twice.err().trim());

        Cli.Run weights = Cli.run("quantize", train, "--calibration", images, "--out", out, "--weights", "per-row");
        assertEquals("repzoo: unknown weight quantization 'per-row': choose per-channel or per-tensor",
                weights.err().trim());
        Cli.Run activations = Cli.run("quantize", train, "--calibration", images, "--out", out, "--activations",
                "mse");
        assertEquals("repzoo: unknown activation calibration 'mse': choose minmax, percentile:P or entropy",
                activations.err().trim());
        Cli.Run notOnnx = Cli.run("quantize", train, "--calibration", images, "--out", dir.resolve("x.zip"));
        assertEquals(Main.USAGE, notOnnx.code());
        Cli.Run overwrite = Cli.run("quantize", int8, "--calibration", images, "--out", int8);
        assertEquals(Main.USAGE, overwrite.code());
        assertTrue(overwrite.err().contains("never overwrites an input"), overwrite.err());
        assertFalse(Files.exists(out));
    }
}
