package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code repzoo bench}: the report's figures agree with each other and with {@code summary}; bad input exits 2. */
class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void inferenceReportHoldsEveryFigurePerBatch() throws Exception {
        Path json = dir.resolve("bench.json");
        Cli.Run run = Cli.run("bench", "resnet18", "--input", "3x32x32", "--batch", "1,3", "--warmup", "1",
                "--iterations", "2", "--threads", "2", "--json", json);
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("ms/batch"), run.out());
        JsonNode report = new ObjectMapper().readTree(json.toFile());
        assertEquals("resnet18", report.get("model").asText());
        assertEquals("3x32x32", report.get("input").asText());
        assertEquals("infer", report.get("mode").asText());
        assertEquals(2, report.get("threads").asInt());
        assertTrue(report.get("nd4j_native").asText().startsWith("linux-x86_64"), report.toString());

        JsonNode summary = new ObjectMapper().readTree(Cli.run("summary", "resnet18", "--input", "3x32x32", "--json").out());
        long macs = summary.get("multiply_adds").asLong();
        assertEquals(macs, report.get("multiply_adds").asLong());
        assertEquals(4 * (summary.get("parameters").asLong() + summary.get("buffers").asLong()),
                report.get("parameter_bytes").asLong());

        JsonNode results = report.get("results");
        assertEquals(2, results.size());
        for (int i = 0; i < 2; i++) {
            JsonNode row = results.get(i);
            int batch = new int[] {1, 3}[i];
            assertEquals(batch, row.get("batch").asInt());
            assertEquals(2, row.get("timed_iterations").asInt());
            double rate = row.get("images_per_second").get("median").asDouble();
            assertEquals(batch / row.get("seconds_per_batch").get("median").asDouble(), rate, 1e-9 * rate);
            assertTrue(row.get("images_per_second").get("min").asDouble() <= rate);
            assertTrue(row.get("images_per_second").get("max").asDouble() >= rate);
            assertEquals(2.0 * macs * rate / 1e9, row.get("gflops").asDouble(), 1e-9 * rate);
            // ND4J holds the weights off-heap, in resident memory: a peak below them would be a wrong measurement
            assertTrue(row.get("peak_resident_bytes").asLong() > report.get("parameter_bytes").asLong(), row.toString());
            assertTrue(row.get("peak_heap_bytes").asLong() > 0, row.toString());
        }
    }

    @Test
    void trainingStepRunsOnAGraphWithAuxiliaryHeads() throws Exception {
        Cli.Run run = Cli.run("bench", "googlenet", "--input", "3x64x64", "--batch", "2", "--mode", "train",
                "--warmup", "0", "--iterations", "1", "--json", "-");
        assertEquals(0, run.code(), run.err());
        JsonNode report = new ObjectMapper().readTree(run.out());
        assertEquals("train", report.get("mode").asText());
        JsonNode row = report.get("results").get(0);
        assertEquals(6.0 * report.get("multiply_adds").asLong() * row.get("images_per_second").get("median").asDouble() / 1e9,
                row.get("gflops").asDouble(), 1e-6);
    }

    @Test
    void badInputGetsOneLineAndExitCodeTwo() {
        Path json = dir.resolve("never.json");
        Cli.Run unknown = Cli.run("bench", "resnet5O", "--json", json);
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("repzoo: unknown model 'resnet5O'"), unknown.err());
        assertEquals(1, unknown.err().lines().count(), unknown.err());

        Cli.Run batch = Cli.run("bench", "resnet18", "--batch", "16,0", "--json", json);
        assertEquals(2, batch.code());
        assertEquals("repzoo: bad --batch '16,0': '0' is not a positive integer", batch.err().strip());

        Cli.Run mode = Cli.run("bench", "resnet18", "--mode", "fast");
        assertEquals(2, mode.code());
        assertTrue(mode.err().contains("--mode 'fast': expected infer or train"), mode.err());

        Cli.Run nothing = Cli.run("bench");
        assertEquals(2, nothing.code());
        assertTrue(nothing.err().contains("--sgemm"), nothing.err());
        assertFalse(Files.exists(json));
    }
}
