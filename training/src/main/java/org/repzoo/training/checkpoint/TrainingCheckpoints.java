package org.repzoo.training.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.rng.Random;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.training.average.WeightAverage;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.schedule.PlateauDecay;
import org.repzoo.zoo.core.AtomicFiles;
import org.repzoo.zoo.core.Graphs;
import org.repzoo.zoo.core.ParameterCountException;

/**
 * Writes and reads training checkpoints. A checkpoint is a zip with DL4J's {@code configuration.json} (which carries
 * the iteration and epoch counters), {@code coefficients.bin} and {@code updaterState.bin} (the entries
 * {@code ModelSerializer} uses, so DL4J can open it as a model too), RepZoo's {@code repzoo/training-state.json}, and
 * the weight average if the run keeps one.
 *
 * <p>Crash safety: the zip is written to a temporary sibling, forced to disk, then renamed over the previous
 * checkpoint, so after a kill at any moment the file is either the old complete checkpoint or the new one. Reading
 * never falls back to a fresh start: a missing, corrupt, truncated or foreign file is an error naming the file.
 */
public final class TrainingCheckpoints {

    static final String CONFIGURATION = "configuration.json";
    static final String COEFFICIENTS = "coefficients.bin";
    static final String UPDATER_STATE = "updaterState.bin";
    static final String STATE = "repzoo/training-state.json";
    static final String AVERAGE = "repzoo/average.bin";
    static final String FORMAT = "repzoo-training-checkpoint";
    static final int VERSION = 1;

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    /** The JSON entry: format marker, the state, and how the average (if any) is computed. */
    record Header(String format, int version, TrainingState state, WeightAverage.Kind averageKind,
                  double averageDecay) {
    }

    /** What a checkpoint restores: a graph ready to continue training, the state, and the weight average if kept. */
    public record Resumed(ComputationGraph graph, TrainingState state, Optional<WeightAverage> average) {
    }

    private TrainingCheckpoints() {
    }

    /**
     * Captures the current position of a run. ND4J's random state is read here, so call it at the point the run
     * would resume from (after an iteration completes).
     */
    public static TrainingState capture(Recipe recipe, int epoch, int batchInEpoch, long iteration, long seed,
                                        int[] dataOrder, Optional<WeightAverage> average,
                                        Optional<PlateauDecay> plateau) {
        Random random = Nd4j.getRandom();
        return new TrainingState(recipe, epoch, batchInEpoch, iteration, seed, dataOrder, random.rootState(),
                random.nodeState(), average.map(WeightAverage::updates).orElse(0L),
                plateau.map(PlateauDecay::snapshot).orElse(null));
    }

    public static void save(Path file, ComputationGraph graph, TrainingState state, Optional<WeightAverage> average)
            throws IOException {
        Header header = new Header(FORMAT, VERSION, state, average.map(WeightAverage::kind).orElse(null),
                average.map(WeightAverage::decay).orElse(0.0));
        byte[] headerJson = JSON.writeValueAsBytes(header);
        INDArray updaterState = graph.getUpdater(false) == null ? null : graph.getUpdater().getStateViewArray();
        AtomicFiles.write(file, temp -> {
            try (FileOutputStream raw = new FileOutputStream(temp.toFile())) {
                ZipOutputStream zip = new ZipOutputStream(new BufferedOutputStream(raw, 1 << 20));
                putText(zip, CONFIGURATION, graph.getConfiguration().toJson().getBytes(StandardCharsets.UTF_8));
                putText(zip, STATE, headerJson);
                putArray(zip, COEFFICIENTS, graph.params());
                if (updaterState != null) {
                    putArray(zip, UPDATER_STATE, updaterState);
                }
                if (average.isPresent() && average.get().shadow() != null) {
                    putArray(zip, AVERAGE, average.get().shadow());
                }
                zip.finish();
                zip.flush();
                raw.getChannel().force(true); // on disk before the rename makes it the checkpoint
                zip.close();
            }
        });
    }

    /** Restores a checkpoint, refusing it if it was written for another network than {@code expected}. */
    public static Resumed load(Path file, ComputationGraphConfiguration expected) throws IOException {
        Resumed resumed = load(file);
        requireSameNetwork(file, expected, resumed.graph().getConfiguration());
        return resumed;
    }

    /** Restores a checkpoint and ND4J's random state. */
    public static Resumed load(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new TrainingCheckpointException(file, "no such file");
        }
        try (ZipFile zip = new ZipFile(file.toFile())) {
            Header header = header(zip, file);
            ComputationGraphConfiguration conf = configuration(zip, file);
            INDArray params = array(zip, COEFFICIENTS, file)
                    .orElseThrow(() -> new TrainingCheckpointException(file, "has no " + COEFFICIENTS + " entry"));
            ComputationGraph graph;
            try {
                graph = Graphs.withParameters(conf, params);
            } catch (ParameterCountException e) {
                throw new TrainingCheckpointException(file, e.asFileProblem());
            }
            Optional<INDArray> updaterState = array(zip, UPDATER_STATE, file);
            if (updaterState.isPresent()) {
                long expectedState = graph.getUpdater().getStateViewArray() == null
                        ? 0 : graph.getUpdater().getStateViewArray().length();
                if (updaterState.get().length() != expectedState) {
                    throw new TrainingCheckpointException(file, "holds " + updaterState.get().length()
                            + " updater values but its configuration needs " + expectedState);
                }
                graph.getUpdater().setStateViewArray(updaterState.get().reshape(1, updaterState.get().length()));
            }
            Optional<WeightAverage> average = Optional.empty();
            if (header.averageKind() != null) {
                INDArray shadow = array(zip, AVERAGE, file).orElseThrow(() -> new TrainingCheckpointException(
                        file, "records a weight average but has no " + AVERAGE + " entry"));
                if (shadow.length() != params.length()) {
                    throw new TrainingCheckpointException(file, "weight average has " + shadow.length()
                            + " values for " + params.length() + " weights");
                }
                average = Optional.of(WeightAverage.restore(header.averageKind(), header.averageDecay(), shadow,
                        header.state().averageUpdates()));
            }
            TrainingState state = header.state();
            Nd4j.getRandom().setStates(state.randomRootState(), state.randomNodeState());
            return new Resumed(graph, state, average);
        } catch (ZipException e) {
            throw new TrainingCheckpointException(file, "corrupt or truncated checkpoint (" + e.getMessage() + ")", e);
        }
    }

    private static Header header(ZipFile zip, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(STATE);
        if (entry == null) {
            throw new TrainingCheckpointException(file, "not a RepZoo training checkpoint (no " + STATE
                    + " entry; a model file can be given as weights, not resumed from)");
        }
        Header header;
        try (InputStream in = zip.getInputStream(entry)) {
            header = JSON.readValue(in, Header.class);
        } catch (JsonProcessingException e) {
            throw new TrainingCheckpointException(file, STATE + " is corrupt (" + e.getOriginalMessage() + ")", e);
        }
        if (!FORMAT.equals(header.format()) || header.state() == null) {
            throw new TrainingCheckpointException(file, "not a RepZoo training checkpoint (format "
                    + header.format() + ")");
        }
        if (header.version() != VERSION) {
            throw new TrainingCheckpointException(file, "checkpoint format version " + header.version()
                    + "; this RepZoo reads version " + VERSION);
        }
        return header;
    }

    private static ComputationGraphConfiguration configuration(ZipFile zip, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(CONFIGURATION);
        if (entry == null) {
            throw new TrainingCheckpointException(file, "has no " + CONFIGURATION + " entry");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            return ComputationGraphConfiguration.fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new TrainingCheckpointException(file, CONFIGURATION + " is not a ComputationGraph configuration", e);
        }
    }

    private static Optional<INDArray> array(ZipFile zip, String name, Path file) throws IOException {
        ZipEntry entry = zip.getEntry(name);
        if (entry == null) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(zip.getInputStream(entry), 1 << 20))) {
            return Optional.of(Nd4j.read(in));
        } catch (EOFException e) {
            throw new TrainingCheckpointException(file, name + " is truncated", e);
        } catch (RuntimeException e) {
            throw new TrainingCheckpointException(file, name + " is corrupt (" + e.getMessage() + ")", e);
        }
    }

    /** Same vertices with the same parameter counts: a checkpoint of another network must not be loaded into this. */
    private static void requireSameNetwork(Path file, ComputationGraphConfiguration expected,
                                           ComputationGraphConfiguration stored) throws IOException {
        Map<String, GraphVertex> want = expected.getVertices();
        Map<String, GraphVertex> have = stored.getVertices();
        if (!want.keySet().equals(have.keySet())) {
            throw new TrainingCheckpointException(file, "is for another network (its vertices differ from this one's;"
                    + " e.g. " + difference(want, have) + ")");
        }
        for (Map.Entry<String, GraphVertex> vertex : want.entrySet()) {
            long wanted = vertex.getValue().numParams(true);
            long found = have.get(vertex.getKey()).numParams(true);
            if (wanted != found) {
                throw new TrainingCheckpointException(file, "is for another network: vertex " + vertex.getKey()
                        + " has " + found + " parameters there and " + wanted + " here");
            }
        }
    }

    private static String difference(Map<String, GraphVertex> want, Map<String, GraphVertex> have) {
        for (String name : want.keySet()) {
            if (!have.containsKey(name)) {
                return "no vertex " + name;
            }
        }
        for (String name : have.keySet()) {
            if (!want.containsKey(name)) {
                return "an extra vertex " + name;
            }
        }
        return "none";
    }

    private static void putText(ZipOutputStream zip, String name, byte[] content) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(content);
        zip.closeEntry();
    }

    private static void putArray(ZipOutputStream zip, String name, INDArray array) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        DataOutputStream out = new DataOutputStream(zip);
        Nd4j.write(array.isView() ? array.dup() : array, out);
        out.flush();
        zip.closeEntry();
    }
}
