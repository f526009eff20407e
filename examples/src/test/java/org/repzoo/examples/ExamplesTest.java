package org.repzoo.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every example runs on the backend this build chose, and does what its Javadoc says. */
class ExamplesTest {

    /** The backend is the one this build's profile chose (the folder JavaCPP loaded ND4J's JNI library from). */
    @Test
    void theChosenBackendRuns() {
        org.nd4j.linalg.factory.Nd4j.create(1);
        String expected = System.getProperty("examples.nativeBuild");
        String loaded = org.bytedeco.javacpp.Loader.getLoadedLibraries().values().stream()
                .filter(path -> path != null && (path.contains("jnind4jcpu") || path.contains("jnind4jcuda")))
                .findFirst().orElse("none");
        assertTrue(loaded.contains("/" + expected + "/") || expected.equals("cuda") && loaded.contains("cuda"),
                "expected ND4J's " + expected + " build, loaded " + loaded);
    }

    @Test
    void aRegisteredModelRunsAsAComputationGraph() {
        assertArrayEquals(new long[] {1, 1000}, LoadZooModel.logits("resnet18").shape());
    }

    /** The README's snippet: it runs, and the model it saved loads with the weights it had. */
    @Test
    void theReadmeSnippetRuns(@TempDir Path folder) throws Exception {
        ZooExample.main(new String[] {folder.toString()});
        assertTrue(Files.size(folder.resolve("resnet50-10.zip")) > 90_000_000);
    }

    @Test
    void aRepVggCheckpointIsImportedConvertedAndDeployedOnBothEngines(@TempDir Path folder) throws IOException {
        Path image = folder.resolve("photo.png");
        writeImage(image, 320, 240);
        DeployRepVgg.Deployed deployed = DeployRepVgg.run(folder, image);
        assertTrue(Files.size(deployed.deployZip()) > 1_000_000 && Files.size(deployed.onnx()) > 1_000_000);
        assertEquals(deployed.dl4jClass(), deployed.onnxRuntimeClass());
        assertTrue(deployed.maxLogitGap() < 1e-3, "DL4J and ONNX Runtime differ by " + deployed.maxLogitGap());
    }

    /** DL4J's fit and evaluate on RepZoo's iterators over class folders: every validation image is scored. */
    @Test
    void aFolderTrainsAndEvaluatesThroughDl4jIterators(@TempDir Path folder) throws IOException {
        for (String split : new String[] {"train", "val"}) {
            for (String label : new String[] {"cat", "dog"}) {
                Files.createDirectories(folder.resolve(split).resolve(label));
                for (int i = 0; i < 4; i++) {
                    writeImage(folder.resolve(split).resolve(label).resolve(i + ".png"), 260 + 10 * i, 240);
                }
            }
        }
        var evaluation = IteratorExample.trainAndEvaluate(folder.resolve("train"), folder.resolve("val"));
        assertEquals(8, evaluation.getNumRowCounter());
        assertEquals(java.util.List.of("cat", "dog"), evaluation.getLabelsList());
    }

    /** A photo-like test image: smooth colour gradients with noise. */
    static void writeImage(Path file, int width, int height) throws IOException {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Random random = new Random(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int r = Math.min(255, x * 255 / width + random.nextInt(16));
                int g = Math.min(255, y * 255 / height + random.nextInt(16));
                int b = Math.min(255, 128 + random.nextInt(64));
                image.setRGB(x, y, (r << 16) | (g << 8) | b);
            }
        }
        ImageIO.write(image, "png", file.toFile());
    }
}
