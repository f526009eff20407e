package org.repzoo.training.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import org.repzoo.training.checkpoint.TrainingCheckpoints;
import org.repzoo.training.data.IdxFiles;
import org.repzoo.zoo.core.ModelFiles;

/**
 * The promise that no work is lost, against a real crash: a training process is killed with SIGKILL in the middle of
 * its run (after at least three checkpoints, so mid-epoch), a new process resumes it from the run folder, and its
 * final weights (an EMA, over a run with augmentation and BatchNorm) equal bit for bit those of a process never
 * stopped. Its log is continued, not restarted. The same holds with the batches split over two ParallelWrapper
 * replicas.
 */
class KillResumeTest {

    @TempDir
    Path dir;

    private Process start(Path data, Path run, String mode, long pauseMillis, int replicas) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                TrainProcess.class.getName(), data.toString(), run.toString(), mode, Long.toString(pauseMillis),
                Integer.toString(replicas))
                .redirectErrorStream(true).redirectOutput(dir.resolve(run.getFileName() + "-" + mode + ".log").toFile())
                .start();
    }

    private void finish(Process process, Path run, String mode, String what) throws Exception {
        assertTrue(process.waitFor(180, TimeUnit.SECONDS), what + " did not finish");
        assertEquals(0, process.exitValue(), () -> what + " failed: " + log(run, mode));
    }

    private String log(Path run, String mode) {
        try {
            return Files.readString(dir.resolve(run.getFileName() + "-" + mode + ".log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @ParameterizedTest(name = "{0} replica(s)")
    @ValueSource(ints = {1, 2})
    void aRunKilledMidwayAndResumedEndsWithTheWeightsOfAnUninterruptedRun(int replicas) throws Exception {
        Path data = IdxFiles.write(dir.resolve("data"), 40, 12, 4, 5);
        Path reference = dir.resolve("reference");
        finish(start(data, reference, "fresh", 0, replicas), reference, "fresh", "the uninterrupted run");

        Path crashed = dir.resolve("crashed");
        Process victim = start(data, crashed, "fresh", 400, replicas);
        Path checkpoint = crashed.resolve("checkpoint.zip");
        long iteration = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (iteration < 3 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            if (Files.exists(checkpoint)) {
                try {
                    iteration = TrainingCheckpoints.load(checkpoint).state().iteration();
                } catch (IOException replacedMeanwhile) {
                    // the rename may land between exists() and open; try again
                }
            }
        }
        assertTrue(victim.isAlive(), "the run ended before it could be killed");
        victim.destroyForcibly(); // SIGKILL: no shutdown hooks, no flushing
        victim.waitFor();
        long killedAt = TrainingCheckpoints.load(checkpoint).state().iteration();
        assertTrue(killedAt >= 3 && killedAt < 15, "killed at iteration " + killedAt + " of 15");
        assertTrue(!Files.exists(crashed.resolve("final.zip")));

        finish(start(data, crashed, "resume", 0, replicas), crashed, "resume", "the resumed run");
        ComputationGraph expected = ModelFiles.load(reference.resolve("final.zip"));
        ComputationGraph actual = ModelFiles.load(crashed.resolve("final.zip"));
        assertTrue(expected.params().length() > 100);
        assertArrayEquals(expected.params().toFloatVector(), actual.params().toFloatVector());

        TrainingLog referenceLog = TrainingLog.read(reference.resolve("training-log.json"));
        TrainingLog resumedLog = TrainingLog.read(crashed.resolve("training-log.json"));
        assertEquals(3, resumedLog.epochs().size());
        assertEquals(referenceLog.epochs().stream().map(EpochRecord::top1).toList(),
                resumedLog.epochs().stream().map(EpochRecord::top1).toList());
        assertEquals(referenceLog.iterations().stream().map(IterationRecord::loss).toList(),
                resumedLog.iterations().stream().map(IterationRecord::loss).toList());
        assertTrue(Files.size(crashed.resolve("training-curve.png")) > 1000);
        assertTrue(Files.readString(dir.resolve("crashed-resume.log")).contains("resumed"));
    }

    @Test
    void resumingWithoutACheckpointOrStartingOverOneIsRefused() throws Exception {
        Path data = IdxFiles.write(dir.resolve("data"), 40, 12, 4, 5);
        Path run = dir.resolve("run");
        IOException missing = assertThrows(IOException.class, () -> TrainProcess.main(new String[] {
            data.toString(), run.toString(), "resume", "0"}));
        assertTrue(missing.getMessage().contains("no checkpoint to resume"), missing.getMessage());
        Files.createDirectories(run);
        Files.writeString(run.resolve("checkpoint.zip"), "not a zip");
        IOException existing = assertThrows(IOException.class, () -> TrainProcess.main(new String[] {
            data.toString(), run.toString(), "fresh", "0"}));
        assertTrue(existing.getMessage().contains("already holds a run"), existing.getMessage());
        IOException corrupt = assertThrows(IOException.class, () -> TrainProcess.main(new String[] {
            data.toString(), run.toString(), "resume", "0"}));
        assertTrue(corrupt.getMessage().contains("checkpoint.zip"), corrupt.getMessage());
        assertEquals("not a zip", Files.readString(run.resolve("checkpoint.zip")), "a bad checkpoint is never replaced");
    }
}
