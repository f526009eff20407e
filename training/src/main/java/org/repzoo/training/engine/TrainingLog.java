package org.repzoo.training.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.repzoo.zoo.core.AtomicFiles;

/**
 * A run's JSON log: what was trained on what, then each epoch and the loss curve. Rewritten atomically with every
 * checkpoint, so after a crash it matches the checkpoint; a resumed run reads it back and drops what came after.
 *
 * @param architecture model name (and size options)
 * @param recipe       the recipe's JSON, overrides included
 * @param data         training and validation data, as located
 * @param seed         the run's seed
 * @param epochs       finished epochs
 * @param iterations   the loss curve
 */
public record TrainingLog(String architecture, String recipe, String data, long seed, List<EpochRecord> epochs,
                          List<IterationRecord> iterations) {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public TrainingLog {
        epochs = new ArrayList<>(epochs);
        iterations = new ArrayList<>(iterations);
    }

    public static TrainingLog start(String architecture, String recipe, String data, long seed) {
        return new TrainingLog(architecture, recipe, data, seed, List.of(), List.of());
    }

    /** The log as it was at iteration {@code iteration} (a resumed run continues from there). */
    public TrainingLog upTo(long iteration) {
        return new TrainingLog(architecture, recipe, data, seed,
                epochs.stream().filter(e -> e.iteration() <= iteration).toList(),
                iterations.stream().filter(i -> i.iteration() <= iteration).toList());
    }

    public static TrainingLog read(Path file) throws IOException {
        try {
            return JSON.readValue(file.toFile(), TrainingLog.class);
        } catch (IOException e) {
            throw new IOException(file + ": not a RepZoo training log (" + e.getMessage() + ")", e);
        }
    }

    public void write(Path file) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(this);
        AtomicFiles.write(file, temp -> Files.write(temp, bytes));
    }
}
