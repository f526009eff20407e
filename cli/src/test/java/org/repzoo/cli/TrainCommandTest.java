package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.evaluation.data.IdxDataset;
import org.repzoo.zoo.core.Provenance;

/**
 * {@code repzoo train} and {@code repzoo demo} end to end on a committed slice of real Fashion-MNIST (512 training and
 * 256 test images, made by tools/fixtures/fashion_mnist_subset.py), with a tiny RepVGG.
 */
class TrainCommandTest {

    static final Path DATA = Path.of("src/test/resources/fashion-mnist-mini").toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G'};

    @TempDir
    Path dir;

    @Test
    void trainsWritesLogCurveAndAModelThatEvaluatesAsValidated() throws Exception {
        Path run = dir.resolve("run");
        Cli.Run trained = Cli.run("train", "repvgg_a0", "--data", DATA, "--input", "1x16x16", "--width", "0.1",
                "--depths", "1,1,1,1", "--epochs", "2", "--batch", "64", "--checkpoint-dir", run,
                "--set", "{\"augmentation\": {\"crop\": \"PAD_CROP\", \"padding\": 2}}");
        assertEquals(0, trained.code(), trained.err());
        assertTrue(trained.out().contains("epoch 2/2"), trained.out());
        JsonNode log = JSON.readTree(run.resolve("training-log.json").toFile());
        assertEquals(2, log.get("epochs").size());
        assertEquals(16, log.get("epochs").get(1).get("iteration").asInt()); // 512 / 64 = 8 batches per epoch
        assertArrayEquals(PNG, Arrays.copyOf(Files.readAllBytes(run.resolve("training-curve.png")), 4));

        Provenance provenance = Provenance.of(run.resolve("model.zip")).orElseThrow();
        assertEquals("repvgg_a0", provenance.architecture());
        assertEquals(1, provenance.preset().channels());
        assertEquals(16, provenance.preset().cropSize());
        // Fashion-MNIST's grey mean and std (0.2860, 0.3530 over the whole training set) from the first 512 images
        assertEquals(0.286, provenance.preset().mean().get(0), 0.02);
        assertEquals(0.353, provenance.preset().std().get(0), 0.02);
        assertEquals(IdxDataset.FASHION_CLASSES, provenance.classNames());

        // predict names the model's own classes, not ImageNet's or "class N"
        Path image = dir.resolve("grey.png");
        ImageIO.write(new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY), "png", image.toFile());
        Cli.Run predicted = Cli.run("predict", run.resolve("model.zip"), "--image", image, "--top", "10", "--json");
        assertEquals(0, predicted.code(), predicted.err());
        JsonNode top = JSON.readTree(predicted.out()).get(0).get("top");
        assertEquals(10, top.size());
        for (JsonNode hit : top) {
            assertEquals(IdxDataset.FASHION_CLASSES.get(hit.get("class").asInt()), hit.get("name").asText());
        }

        // eval reads the preset from the model's provenance and agrees with the last validation
        Path report = dir.resolve("report.json");
        Cli.Run eval = Cli.run("eval", run.resolve("model.zip"), "--data", DATA, "--report", report);
        assertEquals(0, eval.code(), eval.err());
        JsonNode single = JSON.readTree(report.toFile()).get("protocols").get(0);
        assertEquals(256, single.get("images").asInt());
        assertEquals(log.get("epochs").get(1).get("top1").asDouble(), 1 - single.get("top1_error").asDouble(), 1e-9);

        Cli.Run again = Cli.run("train", "repvgg_a0", "--data", DATA, "--input", "1x16x16", "--width", "0.1",
                "--depths", "1,1,1,1", "--epochs", "2", "--batch", "64", "--checkpoint-dir", run);
        assertEquals(Main.USAGE, again.code());
        assertTrue(again.err().contains("already holds a run"), again.err());
    }

    @Test
    void badOptionsAreOneLineErrors() {
        Cli.Run width = Cli.run("train", "resnet18", "--data", DATA, "--width", "0.5");
        assertEquals(Main.USAGE, width.code());
        assertTrue(width.err().contains("resizable"), width.err());
        Cli.Run data = Cli.run("train", "repvgg_a0", "--data", dir.resolve("nothing"));
        assertEquals(Main.USAGE, data.code());
        assertTrue(data.err().contains("nothing"), data.err());
        Cli.Run resume = Cli.run("train", "repvgg_a0", "--data", DATA, "--input", "1x16x16", "--resume",
                "--checkpoint-dir", dir.resolve("fresh"));
        assertEquals(Main.USAGE, resume.code());
        assertTrue(resume.err().contains("no checkpoint to resume"), resume.err());
    }

    @Test
    void demoTrainsConvertsEvaluatesAndTimesTheThreeForms() throws Exception {
        Path out = dir.resolve("demo");
        Cli.Run demo = Cli.run("demo", "--data", DATA, "--out", out, "--epochs", "1", "--width", "0.1",
                "--depths", "1,1,1,1", "--multi-scale-images", "100", "--multi-crop-images", "8");
        assertEquals(0, demo.code(), demo.err());
        assertTrue(demo.out().contains("deploy form vs train form: "), demo.out());
        assertTrue(demo.out().contains("same top-1 prediction on 256 of 256 test images"), demo.out());
        assertTrue(demo.out().contains("ONNX Runtime vs DL4J, deploy form: "), demo.out());
        assertTrue(Files.size(out.resolve("repvgg-deploy.onnx")) > 0);
        JsonNode report = JSON.readTree(out.resolve("demo-report.json").toFile());
        assertEquals(256, report.get("agreement_onnxruntime_vs_dl4j").get("samePrediction").asInt());
        assertEquals(256, report.get("agreement_deploy_vs_train").get("samePrediction").asInt());
        assertTrue(demo.out().contains("INT8 vs float32 on ONNX Runtime: "), demo.out());
        assertTrue(report.get("int8_file").get("bytes").asLong() < report.get("onnx_file").get("bytes").asLong() / 2,
                report.toString());
        assertTrue(report.get("agreement_int8_vs_float").get("samePrediction").asInt() >= 240,
                "INT8 and float agree on most of the 256 images: " + report.get("agreement_int8_vs_float"));
        for (String form : new String[] {"train form", "deploy form", "deploy form, ONNX Runtime",
                "deploy form, INT8, ONNX Runtime"}) {
            JsonNode accuracy = report.get("forms").get(form).get("accuracy");
            assertEquals(256, accuracy.get("single").get("images").asInt());
            assertEquals(100, accuracy.get("multi-scale").get("images").asInt());
            assertEquals(8, accuracy.get("multi-crop").get("images").asInt());
        }
        assertEquals(report.get("forms").get("train form").get("accuracy").get("single").get("top1").asDouble(),
                report.get("forms").get("deploy form").get("accuracy").get("single").get("top1").asDouble());
        assertEquals(report.get("forms").get("deploy form").get("accuracy").get("single").get("top1").asDouble(),
                report.get("forms").get("deploy form, ONNX Runtime").get("accuracy").get("single").get("top1")
                        .asDouble());
        assertTrue(report.get("forms").get("deploy form").get("parameters").asLong()
                < report.get("forms").get("train form").get("parameters").asLong());
        assertArrayEquals(PNG, Arrays.copyOf(Files.readAllBytes(out.resolve("train/training-curve.png")), 4));
        Cli.Run negative = Cli.run("demo", "--data", DATA, "--out", dir.resolve("demo-negative"),
                "--multi-crop-images", "-1");
        assertEquals(Main.USAGE, negative.code());
        assertTrue(negative.err().contains("--multi-crop-images must be 0 (all) or more, not -1"), negative.err());
        Cli.Run again = Cli.run("demo", "--data", DATA, "--out", out);
        assertEquals(Main.USAGE, again.code());
        assertTrue(again.err().contains("--force"), again.err());
    }

    /** {@code train --replicas 2}: each batch split over two ParallelWrapper workers, averaged after every batch. */
    @Test
    void trainsOverParallelWrapperReplicas() throws Exception {
        Path run = dir.resolve("replicas");
        Cli.Run trained = Cli.run("train", "repvgg_a0", "--replicas", "2", "--data", DATA, "--input", "1x16x16",
                "--width", "0.1", "--depths", "1,1,1,1", "--epochs", "2", "--batch", "32", "--checkpoint-dir", run);
        assertEquals(0, trained.code(), trained.err());
        assertTrue(trained.out().contains("batch 32 over 2 ParallelWrapper replicas"), trained.out());
        JsonNode epochs = JSON.readTree(run.resolve("training-log.json").toFile()).get("epochs");
        assertEquals(2, epochs.size());
        assertEquals(32, epochs.get(1).get("iteration").asInt()); // 512 / 32 batches per epoch, each split in two
        assertTrue(epochs.get(1).get("trainLoss").asDouble() < epochs.get(0).get("trainLoss").asDouble(),
                epochs.toString());
        assertTrue(Files.isRegularFile(run.resolve("model.zip")));

        Cli.Run uneven = Cli.run("train", "repvgg_a0", "--replicas", "3", "--data", DATA, "--input", "1x16x16",
                "--width", "0.1", "--depths", "1,1,1,1", "--batch", "32", "--checkpoint-dir", dir.resolve("uneven"));
        assertEquals(Main.USAGE, uneven.code());
        assertTrue(uneven.err().contains("batch size 32 does not split evenly over 3 replicas"), uneven.err());
        Cli.Run none = Cli.run("train", "repvgg_a0", "--replicas", "0", "--data", DATA);
        assertEquals(Main.USAGE, none.code());
        assertTrue(none.err().contains("--replicas must be at least 1"), none.err());
        Cli.Run spark = Cli.run("train", "repvgg_a0", "--replicas", "2", "--spark", "local[2]", "--data", DATA);
        assertEquals(Main.USAGE, spark.code());
        assertTrue(spark.err().contains("--replicas is for one machine"), spark.err());
    }

    /** {@code train --spark local[2]}: DL4J's parameter averaging, a checkpoint and validation per epoch, repeatable. */
    @Test
    void trainsOnSparkRepeatably() throws Exception {
        double[][] weights = new double[2][];
        for (int run = 0; run < 2; run++) {
            Path dir = this.dir.resolve("spark" + run);
            Cli.Run trained = Cli.run("train", "repvgg_a0", "--spark", "local[2]", "--data", DATA, "--input", "1x16x16",
                    "--width", "0.1", "--depths", "1,1,1,1", "--epochs", "2", "--batch", "32", "--checkpoint-dir", dir);
            assertEquals(0, trained.code(), trained.err());
            JsonNode epochs = JSON.readTree(dir.resolve("training-log.json").toFile()).get("epochs");
            assertEquals(2, epochs.size());
            assertTrue(epochs.get(1).get("trainLoss").asDouble() < epochs.get(0).get("trainLoss").asDouble(),
                    epochs.toString());
            assertTrue(Files.isRegularFile(dir.resolve("checkpoint.zip")));
            weights[run] = org.repzoo.zoo.core.ModelFiles.load(dir.resolve("model.zip")).params().toDoubleVector();
        }
        assertArrayEquals(weights[0], weights[1]);
        Cli.Run badMaster = Cli.run("train", "repvgg_a0", "--spark=nonsense", "--data", DATA);
        assertEquals(Main.USAGE, badMaster.code());
        Cli.Run noTimeout = Cli.run("train", "repvgg_a0", "--spark", "local[2]", "--stall-timeout", "0", "--data",
                DATA);
        assertEquals(Main.USAGE, noTimeout.code());
        assertTrue(noTimeout.err().startsWith("--stall-timeout must be at least 1 (seconds), got 0"),
                noTimeout.err());
    }
}
