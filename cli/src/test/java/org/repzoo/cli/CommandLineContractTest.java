package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.weights.HashedWeights;
import org.repzoo.weights.Tensors;
import picocli.CommandLine;

/**
 * What every command promises: a --help, outputs written to paths that do not exist yet (folders made as needed), and
 * a missing input named as such in one line.
 */
class CommandLineContractTest {

    @TempDir
    static Path dir;
    private static Path model;

    @BeforeAll
    static void model() throws Exception {
        model = Cli.imported(dir, "resnet18");
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new CommandLine(new Main()).getSubcommands().keySet()) {
            if (command.equals("help")) {
                continue; // picocli's own
            }
            Cli.Run help = Cli.run(command, "--help");
            assertEquals(0, help.code(), command + ": " + help.err());
            assertTrue(help.out().startsWith("Usage: repzoo " + command), command + ": " + help.out());
        }
    }

    @Test
    void outputsGoToPathsThatDoNotExistYet() throws Exception {
        Path fresh = dir.resolve("not/yet");
        Path x = dir.resolve("x.npy");
        org.repzoo.weights.format.Npy.write(x, Tensors.fromArray(HashedWeights.tensor("x", new long[] {1, 3, 64, 64})));
        Path images = EvalSet.imageFolder(dir);
        List<Object[]> commands = List.of(
                new Object[] {"bench", "resnet18", "--input", "3x32x32", "--batch", "1", "--warmup", "0",
                        "--iterations", "1", "--json", fresh.resolve("bench.json")},
                new Object[] {"export", model, "--out", fresh.resolve("r18.npz")},
                new Object[] {"export", model, "--out", fresh.resolve("r18.onnx")},
                new Object[] {"predict", model, "--input", x, "--output", fresh.resolve("y.npy")},
                new Object[] {"eval", model, "--data", images, "--report", fresh.resolve("report.json"),
                        "--predictions", fresh.resolve("predictions.csv")},
                new Object[] {"convert", model, "--fold-bn", "--out", fresh.resolve("folded.zip")},
                new Object[] {"quantize", model, "--calibration", images, "--images", "2", "--out",
                        fresh.resolve("r18.int8.onnx")});
        for (Object[] command : commands) {
            Cli.Run run = Cli.run(command);
            assertEquals(0, run.code(), String.join(" ", java.util.Arrays.stream(command).map(String::valueOf)
                    .toList()) + ": " + run.err());
        }
        for (String file : List.of("bench.json", "r18.npz", "r18.onnx", "y.npy", "report.json", "predictions.csv",
                "folded.zip", "r18.int8.onnx")) {
            assertTrue(Files.size(fresh.resolve(file)) > 0, file);
        }
    }

    @Test
    void aMissingInputIsNamedInOneLine() {
        Path missing = dir.resolve("missing.zip");
        for (Object[] command : List.<Object[]>of(
                new Object[] {"predict", missing, "--input", missing, "--output", dir.resolve("y.npy")},
                new Object[] {"export", missing, "--out", dir.resolve("m.onnx")},
                new Object[] {"convert", missing, "--out", dir.resolve("m.zip")},
                new Object[] {"bench", missing})) {
            Cli.Run run = Cli.run(command);
            assertEquals(Main.USAGE, run.code(), run.err());
            assertTrue(run.err().startsWith("repzoo: ") && run.err().contains("missing.zip")
                    && run.err().contains("no such file"), run.err());
            assertEquals(1, run.err().trim().lines().count(), run.err());
        }
    }
}
