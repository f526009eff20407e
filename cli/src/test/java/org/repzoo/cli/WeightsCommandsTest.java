package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.weights.HashedWeights;
import org.repzoo.weights.Tensors;
import org.repzoo.weights.TimmRepVggKeys;
import org.repzoo.weights.format.Checkpoint;
import org.repzoo.weights.format.DType;
import org.repzoo.weights.format.HostTensor;
import org.repzoo.weights.format.Npy;
import org.repzoo.weights.format.Npz;
import org.repzoo.weights.format.Safetensors;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.Fixtures;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Provenance;

/**
 * import, predict and export end to end through the command line. The reference is PyTorch: resnet18 with the hashed
 * weights of tools/reference/hashed_weights.py gives the logits committed by parity_fixtures.py.
 */
class WeightsCommandsTest {

    @TempDir
    static Path dir;

    private static Path weights;
    private static Path input;
    private static Map<String, StoredTensor> state;

    /** resnet18's hashed state_dict with BatchNorm counters, as numpy.savez would write it, and the hashed input. */
    @BeforeAll
    static void checkpoint() throws Exception {
        state = new LinkedHashMap<>();
        for (Map.Entry<String, StoredTensor> e : HashedWeights.stateDict(Zoo.registry().get("resnet18").configure()).entrySet()) {
            state.put(e.getKey(), e.getValue());
            if (e.getKey().endsWith(".running_var")) {
                String counter = e.getKey().replace(".running_var", ".num_batches_tracked");
                ByteBuffer value = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1000 + state.size());
                state.put(counter, new HostTensor(DType.I64, new long[0], value));
            }
        }
        weights = dir.resolve("resnet18.npz");
        Npz.write(weights, state);
        input = dir.resolve("x.npy");
        Npy.write(input, Tensors.fromArray(HashedWeights.tensor("input", new long[] {2, 3, 224, 224})));
    }

    @Test
    void importThenPredictGivesPyTorchsLogits() throws Exception {
        Path model = dir.resolve("r18.zip");
        Cli.Run imported = Cli.run("import", "resnet18", "--weights", weights, "--out", model);
        assertEquals(0, imported.code(), imported.err());
        assertTrue(imported.out().contains("NPZ, reference key names"), imported.out());

        Provenance provenance = Provenance.of(model).orElseThrow();
        assertEquals("resnet18", provenance.architecture());
        assertEquals(1000, provenance.numClasses());
        assertEquals("resnet18.npz", provenance.weights().file());
        assertEquals(64, provenance.weights().sha256().length());

        Path logitsFile = dir.resolve("y.npy");
        Cli.Run predicted = Cli.run("predict", model, "--input", input, "--output", logitsFile);
        assertEquals(0, predicted.code(), predicted.err());
        INDArray logits = Tensors.toFloatArray(Npy.read(logitsFile), "y");
        assertArrayEquals(new long[] {2, 1000}, logits.shape());

        JsonNode expected = Fixtures.json("/parity/logits.json", "tools/reference/parity_fixtures.py").get("models").get("resnet18");
        double maxAbs = 0;
        double maxDiff = 0;
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 1000; c++) {
                double torch = expected.get("logits").get(n).get(c).asDouble();
                maxAbs = Math.max(maxAbs, Math.abs(torch));
                maxDiff = Math.max(maxDiff, Math.abs(torch - logits.getDouble(n, c)));
            }
            assertEquals(expected.get("top1").get(n).asInt(), logits.getRow(n).argMax().getInt(0));
        }
        assertTrue(maxDiff / maxAbs <= 1e-4, "relative difference " + maxDiff / maxAbs);
    }

    /**
     * torchvision's googlenet(transform_input=True) with the hashed weights gives the committed logits of the
     * googlenet_transform_input fixture: the flag reaches the graph, and the graph's auxiliary outputs stay out of the
     * predictions. An architecture without transform_input refuses the flag.
     */
    @Test
    void importWithTransformInputGivesTorchvisionsLogits() throws Exception {
        Path googlenet = dir.resolve("googlenet.npz");
        Npz.write(googlenet, HashedWeights.stateDict(Zoo.registry().get("googlenet").configure()));
        Path model = dir.resolve("googlenet.zip");
        Cli.Run imported = Cli.run("import", "googlenet", "--weights", googlenet, "--out", model, "--transform-input");
        assertEquals(0, imported.code(), imported.err());
        assertTrue(imported.out().contains("googlenet with transform_input"), imported.out());
        Path logitsFile = dir.resolve("googlenet-y.npy");
        Cli.Run predicted = Cli.run("predict", model, "--input", input, "--output", logitsFile);
        assertEquals(0, predicted.code(), predicted.err());
        INDArray logits = Tensors.toFloatArray(Npy.read(logitsFile), "y");
        JsonNode expected = Fixtures.json("/parity/logits.json", "tools/reference/parity_fixtures.py").get("models")
                .get("googlenet_transform_input");
        double maxAbs = 0;
        double maxDiff = 0;
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 1000; c++) {
                double torch = expected.get("logits").get(n).get(c).asDouble();
                maxAbs = Math.max(maxAbs, Math.abs(torch));
                maxDiff = Math.max(maxDiff, Math.abs(torch - logits.getDouble(n, c)));
            }
            assertEquals(expected.get("top1").get(n).asInt(), logits.getRow(n).argMax().getInt(0));
        }
        assertTrue(maxDiff / maxAbs <= 1e-4, "relative difference " + maxDiff / maxAbs);

        Cli.Run refused = Cli.run("import", "resnet18", "--weights", weights, "--out", dir.resolve("r18-t.zip"),
                "--transform-input");
        assertEquals(2, refused.code());
        assertTrue(refused.err().contains("transform_input"), refused.err());
    }

    @Test
    void exportReproducesEveryArrayOfTheCheckpoint() throws Exception {
        Path model = dir.resolve("r18-export.zip");
        assertEquals(0, Cli.run("import", "resnet18", "--weights", weights, "--out", model).code());
        for (String name : List.of("back.safetensors", "back.npz")) {
            Path back = dir.resolve(name);
            Cli.Run exported = Cli.run("export", model, "--out", back);
            assertEquals(0, exported.code(), exported.err());
            try (Checkpoint written = name.endsWith(".npz") ? Npz.open(back) : Safetensors.open(back)) {
                assertEquals(new ArrayList<>(state.keySet()), new ArrayList<>(written.tensors().keySet()), name);
                for (Map.Entry<String, StoredTensor> e : state.entrySet()) {
                    StoredTensor got = written.tensors().get(e.getKey());
                    assertEquals(e.getValue().dtype(), got.dtype(), e.getKey());
                    assertArrayEquals(e.getValue().shape(), got.shape(), e.getKey());
                    assertEquals(e.getValue().read(), got.read(), name + " " + e.getKey());
                }
            }
        }
    }

    /**
     * timm's RepVGG names (timm/models/byobnet.py; each key with its official twin from
     * tools/reference/repvgg_timm_keys.py), both forms of RepVGG-A0: import detects the scheme and the form; export
     * gives timm's checkpoint back bit for bit and in its order (the scheme it came in), {@code --scheme reference} the
     * official one; and an official checkpoint's import exported with {@code --scheme timm} gives timm's.
     */
    @Test
    void timmRepVggNamesImportAndExportInEitherScheme() throws Exception {
        for (String name : List.of("repvgg_a0", "repvgg_a0_deploy")) {
            Map<String, StoredTensor> timm = TimmRepVggKeys.timmCheckpoint(name);
            Map<String, StoredTensor> official = TimmRepVggKeys.officialCheckpoint(name);
            Path timmFile = dir.resolve(name + "-timm.safetensors");
            Safetensors.write(timmFile, timm, Map.of());
            Path fromTimm = dir.resolve(name + "-timm.zip");
            Cli.Run imported = Cli.run("import", "repvgg_a0", "--weights", timmFile, "--out", fromTimm);
            assertEquals(0, imported.code(), imported.err());
            assertTrue(imported.out().contains("imported " + name + " (1000 classes)")
                    && imported.out().contains("timm key names"), imported.out());
            assertExported(fromTimm, null, timm, true);
            assertExported(fromTimm, "reference", official, false);

            Path officialFile = dir.resolve(name + "-official.npz");
            Npz.write(officialFile, official);
            Path fromOfficial = dir.resolve(name + "-official.zip");
            imported = Cli.run("import", name, "--weights", officialFile, "--out", fromOfficial);
            assertEquals(0, imported.code(), imported.err());
            assertTrue(imported.out().contains("reference key names"), imported.out());
            assertExported(fromOfficial, "timm", timm, false);
        }
    }

    /** {@code repzoo export MODEL --out back.npz [--scheme S]} writes exactly {@code expected} (in its order if asked). */
    private static void assertExported(Path model, String scheme, Map<String, StoredTensor> expected, boolean inOrder)
            throws Exception {
        Path back = dir.resolve("exported.npz");
        Cli.Run exported = scheme == null ? Cli.run("export", model, "--out", back)
                : Cli.run("export", model, "--out", back, "--scheme", scheme);
        assertEquals(0, exported.code(), exported.err());
        try (Checkpoint written = Npz.open(back)) {
            String what = model.getFileName() + " exported as " + (scheme == null ? "imported" : scheme);
            if (inOrder) {
                assertEquals(new ArrayList<>(expected.keySet()), new ArrayList<>(written.tensors().keySet()), what);
            } else {
                assertEquals(expected.keySet(), new HashSet<>(written.tensors().keySet()), what);
            }
            for (Map.Entry<String, StoredTensor> e : expected.entrySet()) {
                StoredTensor got = written.tensors().get(e.getKey());
                assertEquals(e.getValue().dtype(), got.dtype(), what + " " + e.getKey());
                assertArrayEquals(e.getValue().shape(), got.shape(), what + " " + e.getKey());
                assertEquals(e.getValue().read(), got.read(), what + " " + e.getKey());
            }
        }
        Files.delete(back);
    }

    @Test
    void nonStrictImportKeepsAFreshHeadForFineTuning() throws Exception {
        Path model = dir.resolve("r18-10.zip");
        Cli.Run strict = Cli.run("import", "resnet18", "--weights", weights, "--out", model, "--num-classes", "10");
        assertEquals(2, strict.code());
        assertTrue(strict.err().contains("shape mismatch fc.weight: expected [10, 512], found [1000, 512]"), strict.err());
        assertFalse(Files.exists(model));

        Cli.Run lenient = Cli.run("import", "resnet18", "--weights", weights, "--out", model, "--num-classes", "10", "--no-strict");
        assertEquals(0, lenient.code(), lenient.err());
        assertTrue(lenient.out().contains("shape mismatch fc.bias"), lenient.out());
        assertEquals(10, Provenance.of(model).orElseThrow().numClasses());
    }

    @Test
    void badInputGetsOneClearLineExitCodeTwoAndNoOutput() throws Exception {
        Path out = dir.resolve("never.zip");
        byte[] bytes = Files.readAllBytes(weights);
        Path truncated = dir.resolve("truncated.npz");
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        Path text = dir.resolve("notes.pth");
        Files.writeString(text, "these are not weights\n");

        Map<String, StoredTensor> resnet34 = HashedWeights.stateDict(Zoo.registry().get("resnet34").configure());
        Path other = dir.resolve("resnet34.safetensors");
        Safetensors.write(other, resnet34, Map.of());

        Map<String, StoredTensor> integers = new LinkedHashMap<>(state);
        integers.put("conv1.weight", new HostTensor(DType.I32, new long[] {64, 3, 7, 7}, ByteBuffer.allocate(64 * 3 * 49 * 4)));
        Path ints = dir.resolve("ints.npz");
        Npz.write(ints, integers);

        record Case(Path file, String expected) {
        }
        for (Case c : List.of(new Case(truncated, "truncated.npz: "), new Case(text, "notes.pth: not a checkpoint"),
                new Case(other, "it looks like a resnet34 checkpoint"), new Case(ints, "conv1.weight"),
                new Case(dir.resolve("missing.pth"), "missing.pth: no such file"))) {
            Cli.Run bad = Cli.run("import", "resnet18", "--weights", c.file(), "--out", out);
            assertEquals(2, bad.code(), c.file() + ": " + bad.err());
            assertTrue(bad.err().startsWith("repzoo: "), bad.err());
            assertTrue(bad.err().contains(c.expected()), c.file() + ": " + bad.err());
            assertFalse(bad.err().contains("\tat "), "no stack trace: " + bad.err());
            assertFalse(Files.exists(out), "nothing written for " + c.file());
        }
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().endsWith(".part")), "no temporary file left");
        }
        Cli.Run overwrite = Cli.run("import", "resnet18", "--weights", weights, "--out", weights);
        assertEquals(2, overwrite.code());
        assertTrue(overwrite.err().contains("never overwrites an input"), overwrite.err());
        assertArrayEquals(bytes, Files.readAllBytes(weights));
    }

    @Test
    void predictImagePrintsTopFiveImageNetClasses() throws Exception {
        Path model = dir.resolve("r18-images.zip");
        assertEquals(0, Cli.run("import", "resnet18", "--weights", weights, "--out", model).code());
        BufferedImage image = new BufferedImage(320, 240, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 240; y++) {
            for (int x = 0; x < 320; x++) {
                image.setRGB(x, y, (x * 255 / 319) << 16 | (y * 255 / 239) << 8 | ((x / 20 + y / 20) % 2) * 255);
            }
        }
        Path png = dir.resolve("gradient.png");
        ImageIO.write(image, "png", png.toFile());
        Cli.Run run = Cli.run("predict", model, "--image", png, "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode top = new ObjectMapper().readTree(run.out()).get(0).get("top");
        assertEquals(5, top.size());
        double previous = 1;
        for (JsonNode hit : top) {
            assertTrue(hit.get("probability").asDouble() <= previous);
            previous = hit.get("probability").asDouble();
            assertFalse(hit.get("name").asText().startsWith("class "), "ImageNet names for 1000 classes");
        }
        Cli.Run table = Cli.run("predict", model, "--image", png);
        assertTrue(table.out().contains(top.get(0).get("name").asText()), table.out());
    }
}
