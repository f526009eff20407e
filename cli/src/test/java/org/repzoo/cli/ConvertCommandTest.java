package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.weights.HashedWeights;
import org.repzoo.weights.Tensors;
import org.repzoo.weights.format.Npy;
import org.repzoo.weights.format.Npz;
import org.repzoo.zoo.core.Provenance;

/** import (train form) -> convert -> predict/export -> import again (deploy form detected), and convert's refusals. */
class ConvertCommandTest {

    @TempDir
    Path dir;

    private INDArray predict(Path model, Path input) throws Exception {
        Path y = dir.resolve("y-" + model.getFileName() + ".npy");
        Cli.Run predicted = Cli.run("predict", model, "--input", input, "--output", y);
        assertEquals(0, predicted.code(), predicted.err());
        return Tensors.toFloatArray(Npy.read(y), "y");
    }

    @Test
    void trainedRepVggConvertsToItsDeployFormAndRoundTrips() throws Exception {
        Path train = Cli.imported(dir, "repvgg_a0");

        Path deploy = dir.resolve("deploy.zip");
        Cli.Run converted = Cli.run("convert", train, "--out", deploy);
        assertEquals(0, converted.code(), converted.err());
        assertTrue(converted.out().contains("converted 22 RepVGG blocks"), converted.out());
        assertTrue(converted.out().contains("parameters 9,108,968 -> 8,309,384"), converted.out());
        assertEquals("repvgg_a0_deploy", Provenance.of(deploy).orElseThrow().architecture());

        Path input = dir.resolve("x.npy");
        Npy.write(input, Tensors.fromArray(HashedWeights.tensor("input", new long[] {2, 3, 224, 224})));
        INDArray trainLogits = predict(train, input);
        INDArray deployLogits = predict(deploy, input);
        double gap = trainLogits.sub(deployLogits).amaxNumber().doubleValue() / trainLogits.amaxNumber().doubleValue();
        assertTrue(gap <= 1e-5, "train vs deploy " + gap);

        // the deploy form's weights go back with the official deploy names, and import recognises that form
        Path exported = dir.resolve("a0-deploy.npz");
        assertEquals(0, Cli.run("export", deploy, "--out", exported).code());
        try (var checkpoint = Npz.open(exported)) {
            assertTrue(checkpoint.tensors().containsKey("stage1.0.rbr_reparam.weight"));
        }
        Path again = dir.resolve("again.zip");
        Cli.Run reimported = Cli.run("import", "repvgg_a0", "--weights", exported, "--out", again);
        assertEquals(0, reimported.code(), reimported.err());
        assertTrue(reimported.out().contains("imported repvgg_a0_deploy"), reimported.out());
        assertEquals(deployLogits, predict(again, input));
    }

    @Test
    void convertRefusesWhatItCannotDoAndNeverOverwrites() throws Exception {
        Path model = Cli.imported(dir, "resnet18");
        byte[] before = Files.readAllBytes(model);

        Cli.Run nothing = Cli.run("convert", model, "--out", dir.resolve("plain.zip"));
        assertEquals(2, nothing.code());
        assertTrue(nothing.err().contains("no RepVGG blocks"), nothing.err());
        assertFalse(Files.exists(dir.resolve("plain.zip")));

        assertTrue(Cli.run("convert", model, "--out", model).err().contains("never overwrites an input"));
        Path existing = dir.resolve("existing.zip");
        Files.writeString(existing, "keep me");
        Cli.Run refused = Cli.run("convert", model, "--out", existing, "--fold-bn");
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("--force"), refused.err());
        assertEquals("keep me", Files.readString(existing));

        Cli.Run folded = Cli.run("convert", model, "--out", existing, "--fold-bn", "--force");
        assertEquals(0, folded.code(), folded.err());
        assertTrue(folded.out().contains("folded 20 conv + BatchNorm pairs"), folded.out());
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(model)), "input untouched");
    }
}
