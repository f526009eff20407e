package org.repzoo.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.evaluation.classification.Evaluation;
import org.repzoo.evaluation.data.Dataset;
import org.repzoo.evaluation.data.Datasets;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.engine.EvaluationOptions;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.metrics.Accuracy;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.EvalPreset;

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

    /**
     * DL4J's fit and evaluate on RepZoo's iterators over class folders, on this build's backend: DL4J's Evaluation
     * counts the top-1 hits RepZoo's own engine counts under the single protocol, image for image.
     */
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
        ComputationGraph graph = IteratorExample.train(folder.resolve("train"));
        Evaluation dl4j = IteratorExample.evaluate(graph, folder.resolve("val"));
        assertEquals(8, dl4j.getNumRowCounter());
        assertEquals(List.of("cat", "dog"), dl4j.getLabelsList());

        EvalPreset preset = Zoo.registry().get("resnet18").preset();
        Dataset val = Datasets.open(new Datasets.Source(folder.resolve("val"), null, null, null, null));
        var setup = new org.repzoo.evaluation.engine.Evaluation.Setup(
                List.of(new Member("resnet18", null, graph, preset)), val, Selection.all(),
                List.of(ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, preset)),
                EvaluationOptions.defaults(), null);
        Accuracy repzoo = org.repzoo.evaluation.engine.Evaluation.run(setup, (done, total) -> { }).results().get(0)
                .accuracy();
        assertEquals(0, repzoo.tieDecidedTop1() + repzoo.nanImages(), "a tie or NaN would rank differently");
        long dl4jTop1 = dl4j.truePositives().values().stream().mapToLong(Integer::longValue).sum();
        assertEquals(repzoo.top1Correct(), dl4jTop1, "top-1 hits");
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
