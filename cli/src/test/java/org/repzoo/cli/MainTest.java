package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.repzoo.zoo.Zoo;

class MainTest {



    @Test
    void listShowsEveryModelWithItsReferenceMatched() throws Exception {
        Cli.Run run = Cli.run("list", "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode rows = new ObjectMapper().readTree(run.out());
        assertEquals(Zoo.registry().entries().size(), rows.size());
        for (JsonNode row : rows) {
            assertTrue(row.get("matches_reference").asBoolean(), row.toString());
        }
        assertEquals(25_557_032L, find(rows, "resnet50").get("parameters").asLong());
        assertEquals(15.47, find(rows, "vgg16").get("gmacs").asDouble(), 0.005);

        Cli.Run table = Cli.run("list");
        assertEquals(0, table.code());
        assertTrue(table.out().lines().anyMatch(l -> l.startsWith("vgg16 ") && l.contains("138,357,544") && l.contains("exact")));
        assertTrue(table.out().lines().noneMatch(l -> l.contains("MISMATCH")));
    }

    private static JsonNode find(JsonNode rows, String name) {
        for (JsonNode row : rows) {
            if (row.get("name").asText().equals(name)) {
                return row;
            }
        }
        throw new AssertionError(name + " not listed");
    }

    @Test
    void summaryPrintsLayersAndTotals() {
        Cli.Run run = Cli.run("summary", "resnet50");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.out().contains("layer1.0.downsample.0"));
        assertTrue(run.out().contains("learnable parameters 25,557,032 + BatchNorm running statistics 53,120; 4.09 GMACs"), run.out());
    }

    @Test
    void summaryJsonHasOneRowPerVertex() throws Exception {
        Cli.Run run = Cli.run("summary", "vgg11", "--input", "3x32x32", "--num-classes", "10", "--json");
        assertEquals(0, run.code(), run.err());
        JsonNode report = new ObjectMapper().readTree(run.out());
        assertEquals("3x32x32", report.get("input").asText());
        assertEquals("10", report.get("layers").get(report.get("layers").size() - 1).get("output").asText());
    }

    @Test
    void badInputGetsOneLineAndExitCodeTwo() {
        assertOneLineError(Cli.run("summary", "resnt50"), "repzoo: unknown model 'resnt50'; did you mean resnet50?");
        assertOneLineError(Cli.run("summary", "resnet50", "--input", "224"), "repzoo: bad input size '224': expected CxHxW, e.g. 3x224x224");
        assertOneLineError(Cli.run("summary", "vgg16", "--input", "3x16x16"),
                "repzoo: vgg16: input 3x16x16 is too small: features.30 would output 0x0");
        assertOneLineError(Cli.run("summary", "nin", "--num-classes", "0"), "repzoo: number of classes must be at least 1, got 0");
        assertEquals(2, Cli.run("bogus").code());
        assertEquals(2, Cli.run("summary").code());
    }

    private static void assertOneLineError(Cli.Run run, String message) {
        assertEquals(2, run.code());
        assertEquals(message, run.err().strip());
        assertEquals("", run.out());
    }

    @Test
    void everyCommandHasHelp() {
        for (String command : new String[] {"list", "summary"}) {
            Cli.Run run = Cli.run(command, "--help");
            assertEquals(0, run.code());
            assertTrue(run.out().startsWith("Usage: repzoo " + command), run.out());
        }
    }
}
