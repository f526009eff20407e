package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.evaluation.EvalSet;

/**
 * Bad input and a bad master on {@code eval --spark} and {@code train --spark}, end to end: each failure is one line
 * and exit code 2, names the file or the master at fault, and a training run that fails leaves no checkpoint. (A file
 * the driver listed but an executor cannot find, which one JVM cannot stage, is the spark module's
 * {@code SparkTrainingByReferenceTest} and {@code SparkEvaluationTest}.)
 */
class SparkCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NO_MASTER = "spark://127.0.0.1:1";
    private static final Object[] TINY_NET = {"--input", "3x16x16", "--width", "0.1", "--depths", "1,1,1,1",
        "--epochs", "1", "--batch", "4"};

    @TempDir
    Path dir;

    /** Refused before Spark's own minute of registration retries, and before anything is written. */
    @Test
    void anUnreachableMasterIsOneLineAndLeavesNoCheckpoint() throws IOException {
        Path data = folders(dir.resolve("folders"));
        Path run = dir.resolve("unreachable");
        Cli.Run train = Cli.run(args("train", "repvgg_a0", "--spark", NO_MASTER, "--data", data, "--checkpoint-dir",
                run));
        assertOneLine(train, "repzoo: the Spark master " + NO_MASTER + " cannot be reached: 127.0.0.1:1 (");
        assertFalse(Files.exists(run.resolve("checkpoint.zip")), "no checkpoint");
        assertFalse(Files.exists(run.resolve("model.zip")), "no model");

        Path model = EvalSet.saveNet(0, dir);
        Cli.Run eval = Cli.run("eval", model, "--data", EvalSet.imageFolder(dir), "--spark", NO_MASTER, "--resize", "73",
                "--crop", "64", "--report", dir.resolve("report.json"));
        assertOneLine(eval, "repzoo: the Spark master " + NO_MASTER + " cannot be reached: 127.0.0.1:1 (");
        assertFalse(Files.exists(dir.resolve("report.json")), "no report");
    }

    /**
     * A training image that does not decode stops the run as one JVM stops (training has no skipping: a skipped image
     * would change the minibatches a seed stands for), with its path and the executor that read it, and no checkpoint.
     */
    @Test
    void aCorruptTrainingImageStopsTheRunWithItsPath() throws IOException {
        Path data = folders(dir.resolve("folders"));
        Path corrupt = data.resolve("train/b/5.png");
        byte[] png = Files.readAllBytes(corrupt);
        Files.write(corrupt, Arrays.copyOf(png, png.length / 2));
        Path run = dir.resolve("corrupt");
        Cli.Run bad = Cli.run(args("train", "repvgg_a0", "--spark", "local[2]", "--data", data, "--checkpoint-dir",
                run));
        assertOneLine(bad, "repzoo: " + corrupt + ": cannot decode PNG");
        String last = lastLine(bad);
        assertTrue(last.contains(" (read on executor driver ("), last);
        assertFalse(Files.exists(run.resolve("checkpoint.zip")), "no checkpoint");
    }

    /** Evaluation on executors: the single JVM's line and exit code without --skip-bad, its report with it. */
    @Test
    void aBadEvaluationImageStopsOrIsSkippedAsInOneJvm() throws IOException {
        Path root = dir.resolve("images");
        Path fixture = EvalSet.imageFolder(dir);
        try (Stream<Path> files = Files.walk(fixture)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = root.resolve(fixture.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        Path broken = root.resolve("dog/broken.jpg");
        Files.writeString(broken, "<html>not an image</html>");
        Path model = EvalSet.saveNet(0, dir);
        Object[] eval = {"eval", model, "--data", root, "--resize", "73", "--crop", "64"};
        Cli.Run single = Cli.run(eval);
        Cli.Run spark = Cli.run(with(eval, "--spark", "local[2]", "--partitions", "3"));
        assertOneLine(spark, "repzoo: " + broken + ": not an image");
        assertEquals(lastLine(single), lastLine(spark));

        Path oneJvm = dir.resolve("one-jvm.json");
        Path distributed = dir.resolve("spark.json");
        assertEquals(0, Cli.run(with(eval, "--skip-bad", "--report", oneJvm)).code());
        Cli.Run skipped = Cli.run(with(eval, "--skip-bad", "--report", distributed, "--spark", "local[2]",
                "--partitions", "3"));
        assertEquals(0, skipped.code(), skipped.err());
        ObjectNode expected = comparable(oneJvm);
        ObjectNode actual = comparable(distributed);
        assertEquals(expected, actual);
        assertEquals(1, actual.get("bad_input_count").asInt());
        assertTrue(actual.toString().contains(broken.toString()), "the report lists the bad file");
    }

    /** A report without what differs between any two runs: its creation time and timings. */
    private static ObjectNode comparable(Path report) throws IOException {
        ObjectNode json = (ObjectNode) JSON.readTree(report.toFile());
        json.remove("created");
        json.remove("timings");
        return json;
    }

    /** Exit code 2 and the error as the last line, with no stack trace before it (progress notes may come first). */
    private static void assertOneLine(Cli.Run run, String start) {
        assertEquals(Main.USAGE, run.code(), run.err());
        assertTrue(lastLine(run).startsWith(start), run.err());
        assertTrue(run.err().lines().allMatch(line -> line.startsWith("repzoo: ")), run.err());
    }

    private static String lastLine(Cli.Run run) {
        return run.err().lines().reduce((first, second) -> second).orElse("");
    }

    /** A class-folder tree (train/ and val/, classes a and b, 8 PNGs each) a tiny RepVGG learns. */
    private static Path folders(Path data) throws IOException {
        for (String split : new String[] {"train", "val"}) {
            for (String label : new String[] {"a", "b"}) {
                Path folder = Files.createDirectories(data.resolve(split).resolve(label));
                for (int i = 0; i < 8; i++) {
                    BufferedImage image = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
                    image.setRGB(i, label.equals("a") ? 3 : 15, 0xFFFFFF);
                    ImageIO.write(image, "png", folder.resolve(i + ".png").toFile());
                }
            }
        }
        return data;
    }

    private static Object[] args(Object... args) {
        return with(args, TINY_NET);
    }

    private static Object[] with(Object[] first, Object... more) {
        Object[] all = Arrays.copyOf(first, first.length + more.length);
        System.arraycopy(more, 0, all, first.length, more.length);
        return all;
    }
}
