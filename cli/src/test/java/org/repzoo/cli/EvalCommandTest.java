package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.evaluation.metrics.Ranking;
import org.repzoo.evaluation.protocol.ProtocolName;

/**
 * {@code repzoo eval} on the committed image set (evaluation's fixtures: 6 images, 3 classes, two tiny nets saved as
 * model zips), every protocol, checked against the errors the PyTorch/torchvision reference posteriors give.
 */
class EvalCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode EXPECTED = EvalSet.expected();
    /** The fixture's small preset (resize 73, crop 64): the scales follow the crop. */
    private static final String[] SMALL = {"--resize", "73", "--crop", "64"};

    @TempDir
    static Path models;

    @BeforeAll
    static void save() throws IOException {
        EvalSet.saveNet(0, models);
        EvalSet.saveNet(1, models);
    }

    private static Object[] args(Object... args) {
        List<Object> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(Arrays.asList(SMALL));
        return all.toArray();
    }

    /** Top-1 and top-5 error of the reference posteriors ({@code posteriors} or {@code ensemble}). */
    private static double[] referenceErrors(String kind, String protocol, int limitTo) {
        int top1 = 0;
        int top5 = 0;
        int n = 0;
        for (JsonNode image : EXPECTED.get("images")) {
            if (limitTo > 0 && !image.get("path").asText().startsWith("bird/")) {
                continue;
            }
            double[] scores = EvalSet.doubles(image.get(kind).get(protocol));
            int label = image.get("label").asInt();
            top1 += Ranking.top(scores, 1)[0] == label ? 1 : 0;
            top5 += Ranking.inTop(scores, label, 5) ? 1 : 0;
            n++;
        }
        return new double[] {1 - (double) top1 / n, 1 - (double) top5 / n};
    }

    @Test
    void everyProtocolInOnePass(@TempDir Path temp) throws IOException {
        Path report = temp.resolve("report.json");
        Path csv = temp.resolve("predictions.csv");
        String all = String.join(",", Arrays.stream(ProtocolName.values()).map(ProtocolName::text).toList());
        Cli.Run run = Cli.run(args("eval", models.resolve("tiny0.zip"), "--data", EvalSet.imageFolder(temp), "--compare", all,
                "--report", report, "--predictions", csv, "--per-class"));
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().contains("records no RepZoo architecture"), run.err());
        JsonNode json = JSON.readTree(report.toFile());
        assertEquals(ProtocolName.values().length, json.get("protocols").size());
        for (JsonNode protocol : json.get("protocols")) {
            String name = protocol.get("protocol").asText();
            double[] expected = referenceErrors("posteriors", name, 0);
            assertEquals(expected[0], protocol.get("top1_error").asDouble(), 1e-12, name);
            assertEquals(expected[1], protocol.get("top5_error").asDouble(), 1e-12, name);
            assertEquals(6, protocol.get("images").asInt());
            assertEquals(6L * protocol.get("views_per_image").asInt(), protocol.get("views").asLong());
            assertTrue(run.out().lines().anyMatch(line -> line.startsWith(name + " ")), run.out());
        }
        // The top level is the first protocol's result; every number carries its context.
        assertEquals("single", json.get("protocol").asText());
        assertEquals(json.get("protocols").get(0).get("top1_error"), json.get("top1_error"));
        for (String field : List.of("model", "scales", "dataset", "counts", "timings", "per_class", "models")) {
            assertTrue(json.has(field), field);
        }
        assertEquals("image-folder", json.get("dataset").get("kind").asText());
        assertEquals(3, json.get("per_class").size());
        assertEquals(List.of(73), List.of(json.get("scales").get(0).asInt()));
        assertEquals(1 + 6 * ProtocolName.values().length, Files.readAllLines(csv).size());
        assertTrue(run.out().contains("single, per class:"), run.out());
    }

    @Test
    void ensembleAveragesPosteriors(@TempDir Path temp) throws IOException {
        Path report = temp.resolve("report.json");
        Cli.Run run = Cli.run(args("eval", "--models", models.resolve("tiny0.zip") + "," + models.resolve("tiny1.zip"),
                "--data", EvalSet.imageFolder(temp), "--protocol", "ten-crop", "--report", report));
        assertEquals(0, run.code(), run.err());
        JsonNode json = JSON.readTree(report.toFile());
        double[] expected = referenceErrors("ensemble", "ten-crop", 0);
        assertEquals(expected[0], json.get("top1_error").asDouble(), 1e-12);
        assertEquals(expected[1], json.get("top5_error").asDouble(), 1e-12);
        assertEquals(2 * 6 * 10, json.get("views").asInt(), "views counted per model");
        assertEquals("tiny0.zip,tiny1.zip", json.get("model").asText());
    }

    @Test
    void limitAndShard(@TempDir Path temp) throws IOException {
        Path report = temp.resolve("report.json");
        Path images = EvalSet.imageFolder(temp);
        Cli.Run run = Cli.run(args("eval", models.resolve("tiny0.zip"), "--data", images, "--protocol",
                "dense", "--limit", "2", "--report", report));
        assertEquals(0, run.code(), run.err());
        JsonNode json = JSON.readTree(report.toFile());
        assertEquals(2, json.get("images").asInt(), "the first two images, both birds");
        double[] expected = referenceErrors("posteriors", "dense", 2);
        assertEquals(expected[0], json.get("top1_error").asDouble(), 1e-12);
        run = Cli.run(args("eval", models.resolve("tiny0.zip"), "--data", images, "--shard", "1/4",
                "--report", report));
        assertEquals(0, run.code(), run.err());
        assertEquals(2, JSON.readTree(report.toFile()).get("images").asInt(), "images 1 and 5 of 6");
    }

    @Test
    void badInputStopsWithItsPathOrIsSkipped(@TempDir Path temp) throws IOException {
        Path root = EvalSet.copyImages(temp.resolve("images"));
        Path broken = root.resolve("dog/broken.jpg");
        Files.writeString(broken, "<html>not an image</html>");
        Cli.Run run = Cli.run(args("eval", models.resolve("tiny0.zip"), "--data", root));
        assertEquals(Main.USAGE, run.code());
        assertTrue(run.err().contains("repzoo: " + broken + ": not an image"), run.err());
        assertTrue(run.err().contains("(--skip-bad counts and lists bad inputs in the report instead of stopping)"),
                run.err());
        Path report = temp.resolve("report.json");
        run = Cli.run(args("eval", models.resolve("tiny0.zip"), "--data", root, "--skip-bad", "--report", report));
        assertEquals(0, run.code(), run.err());
        JsonNode json = JSON.readTree(report.toFile());
        assertEquals(6, json.get("images").asInt());
        assertEquals(1, json.get("bad_input_count").asInt());
        assertEquals(broken.toString(), json.get("bad_inputs").get(0).get("path").asText());
        assertTrue(run.out().contains("bad inputs skipped: 1"), run.out());
        run = Cli.run(args("eval", models.resolve("tiny0.zip"), "--data", root, "--protocol", "144-crop"));
        assertEquals(Main.USAGE, run.code());
        assertTrue(run.err().contains("unknown protocol '144-crop'; known: single, multi-scale"), run.err());
    }
}
