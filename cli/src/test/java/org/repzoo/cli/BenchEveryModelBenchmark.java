package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;

/**
 * {@code repzoo bench} on every registered model, inference and a training step, batch 2 at a small input (64x64 for
 * the 224 nets, half the default for the others; the default where that is too small for the net), one iteration
 * each. Too slow for the normal suite (every model is built twice, the largest hold 0.5 GB of weights; about an hour
 * on 2 busy cores); {@code -Drepzoo.bench.models=REGEX} picks a subset:
 * {@code mvn -o -q -B -pl zoo,reparam,evaluation,training,cli test -Dtest=BenchEveryModelBenchmark -Drepzoo.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class BenchEveryModelBenchmark {

    @Test
    @EnabledIfSystemProperty(named = "repzoo.bench", matches = "true")
    void benchRunsForEveryRegisteredModel() throws Exception {
        List<String> failures = new ArrayList<>();
        String only = System.getProperty("repzoo.bench.models", ".*");
        for (ModelEntry entry : Zoo.registry().entries()) {
            if (!entry.name().matches(only)) {
                continue;
            }
            InputShape full = entry.defaultInput();
            InputShape half = full.height() == 224 ? InputShape.of(full.channels(), 64, 64)
                    : InputShape.of(full.channels(), full.height() / 2, full.width() / 2);
            for (String mode : List.of("infer", "train")) {
                Cli.Run run = bench(entry.name(), half, mode);
                if (run.code() == 2 && run.err().contains("too small")) {
                    run = bench(entry.name(), full, mode);
                }
                if (run.code() != 0) {
                    failures.add(entry.name() + " " + mode + ": " + run.err().strip());
                    continue;
                }
                JsonNode row = new ObjectMapper().readTree(run.out()).get("results").get(0);
                System.out.printf(Locale.ROOT, "%-22s %-5s %6.2f img/s  peak RSS %5.0f MB%n", entry.name(), mode,
                        row.get("images_per_second").get("median").asDouble(), row.get("peak_resident_bytes").asLong() / 1e6);
                assertTrue(row.get("images_per_second").get("median").asDouble() > 0, entry.name());
            }
            System.gc();
        }
        assertEquals(List.of(), failures);
    }

    private static Cli.Run bench(String name, InputShape input, String mode) {
        return Cli.run("bench", name, "--input", input, "--batch", "2", "--mode", mode, "--warmup", "0",
                "--iterations", "1", "--json", "-");
    }
}
