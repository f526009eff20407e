package org.repzoo.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.evaluation.data.IdxDataset;
import org.repzoo.evaluation.engine.Member;

/**
 * What an executor JVM keeps between tasks: each IDX file opened once (its labels, and the pixels of a gzipped file),
 * and the loaded models. A
 * {@code ComputationGraph} is not safe to run from two threads, so concurrent tasks in one executor (local[2] runs
 * two) each borrow a copy; a JVM therefore loads a model at most once per task slot, not once per task.
 */
final class ExecutorCache {

    private static final Map<String, IdxDataset> IDX_FILES = new ConcurrentHashMap<>();
    private static final Map<String, Queue<List<Member>>> IDLE_MODELS = new ConcurrentHashMap<>();

    private ExecutorCache() {
    }

    /** The IDX images file {@code file} (its labels file beside it). */
    static IdxDataset idx(String file) throws IOException {
        try {
            return IDX_FILES.computeIfAbsent(file, key -> {
                try {
                    return IdxDataset.open(Path.of(key), "train");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** The models, loaded or idle ones; give them back with {@link #giveBack} when the task is done with them. */
    static List<Member> borrow(List<ShippedModel> models) throws IOException {
        String key = key(models);
        // A long-lived executor (several jobs in one application) keeps only the current job's models.
        IDLE_MODELS.keySet().removeIf(other -> !other.equals(key));
        List<Member> idle = IDLE_MODELS.computeIfAbsent(key, k -> new ConcurrentLinkedQueue<>()).poll();
        return idle != null ? idle : load(models);
    }

    static void giveBack(List<ShippedModel> models, List<Member> members) {
        IDLE_MODELS.computeIfAbsent(key(models), k -> new ConcurrentLinkedQueue<>()).add(members);
    }

    private static String key(List<ShippedModel> models) {
        StringBuilder key = new StringBuilder();
        for (ShippedModel model : models) {
            key.append(model.zip().id()).append('/').append(model.preset()).append(';');
        }
        return key.toString();
    }

    private static List<Member> load(List<ShippedModel> models) throws IOException {
        List<Member> members = new ArrayList<>();
        Path folder = Files.createTempDirectory("repzoo-spark-model");
        try {
            for (ShippedModel model : models) {
                // The engines read files (a zip's provenance and weights, an ONNX model); the broadcast holds the
                // bytes. Both have read it all when open returns: the cached model outlives the file.
                Path file = folder.resolve(model.fileName());
                Files.write(file, model.zip().value());
                try {
                    members.add(InferenceModels.open(file, model.options(), note -> { }).member()
                            .withPreset(model.preset().preset()));
                } finally {
                    Files.deleteIfExists(file);
                }
            }
        } finally {
            Files.deleteIfExists(folder);
        }
        return members;
    }
}
