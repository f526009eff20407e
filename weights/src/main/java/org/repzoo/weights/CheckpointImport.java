package org.repzoo.weights;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.repzoo.weights.format.Checkpoint;
import org.repzoo.weights.format.Checkpoints;
import org.repzoo.weights.format.HostTensor;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.Graphs;
import org.repzoo.zoo.core.KeyAdapter;
import org.repzoo.zoo.core.KeyScheme;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelFiles;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.Provenance;
import org.repzoo.zoo.core.WeightKeys;

/**
 * Imports a checkpoint (any format {@link Checkpoints} reads) into a registered architecture: removes a DataParallel
 * {@code module.} prefix, detects the key scheme, infers the class count from the classifier unless given, checks
 * every key and shape before allocating anything, then copies the tensors one at a time into a graph that is never
 * randomly initialised in strict mode (every weight comes from the file).
 */
public final class CheckpointImport {

    private static final String DATA_PARALLEL_PREFIX = "module.";
    private static final String DEPLOY_SUFFIX = "_deploy";

    /**
     * @param numClasses     the classifier width, or null to take it from the checkpoint's classifier
     * @param transformInput build the graph with torchvision's {@code transform_input} (GoogLeNet, Inception v3: their
     *                       torchvision weights, ported from Google's, expect it)
     */
    public record Options(Integer numClasses, StateDictLoader.Mode mode, boolean transformInput) {
        public Options(Integer numClasses, StateDictLoader.Mode mode) {
            this(numClasses, mode, false);
        }

        public static Options strict() {
            return new Options(null, StateDictLoader.Mode.STRICT);
        }
    }

    /** An imported graph, with what to store next to it. */
    public record Result(ComputationGraph graph, LoadReport report, Provenance provenance, Map<String, HostTensor> buffers) {

        /** Writes the model zip (ModelSerializer format, with provenance and buffers), atomically. */
        public void save(Path modelZip) throws IOException {
            ModelFiles.save(graph, modelZip, Map.of(ModelFiles.PROVENANCE, provenance.toJson(),
                    BufferEntries.ENTRY, BufferEntries.toJson(buffers)));
        }
    }

    /** Told the total bytes to read, then each tensor's bytes as it is copied. */
    public interface Progress extends StateDictLoader.Progress {
        /** Hears nothing. */
        Progress NONE = new Progress() {
            @Override
            public void start(long totalBytes) {
            }

            @Override
            public void loaded(String key, long bytes) {
            }
        };

        void start(long totalBytes);
    }

    private CheckpointImport() {
    }

    public static Result run(ModelEntry requested, Path weights, Options options, Progress progress) throws IOException {
        try (Checkpoint checkpoint = Checkpoints.open(weights)) {
            // hashed on the other core while the tensors are read (the file is in the page cache either way)
            CompletableFuture<String> sha256 = CompletableFuture.supplyAsync(() -> sha256(weights));
            Map<String, StoredTensor> tensors = checkpoint.tensors();
            if (tensors.isEmpty()) {
                throw new IllegalArgumentException(weights.getFileName() + ": the checkpoint holds no tensors");
            }
            boolean prefixed = tensors.keySet().stream().allMatch(k -> k.startsWith(DATA_PARALLEL_PREFIX));
            if (prefixed) {
                Map<String, StoredTensor> stripped = new LinkedHashMap<>();
                tensors.forEach((k, v) -> stripped.put(k.substring(DATA_PARALLEL_PREFIX.length()), v));
                tensors = stripped;
            }
            ModelEntry entry = formOf(requested, tensors.keySet());
            ModelOptions base = ModelOptions.defaults().withInput(entry.defaultInput());
            if (options.transformInput()) {
                base = base.withTransformInput();
            }
            Map.Entry<KeyScheme, KeyAdapter> scheme = detectScheme(entry, tensors.keySet(),
                    expectedKeys(entry.configure(options.numClasses() == null ? base : base.withClasses(options.numClasses()))));
            Map<String, StoredTensor> state = SchemeTensors.toGraph(scheme.getValue(), tensors);
            int classes = options.numClasses() != null ? options.numClasses() : inferClasses(entry, base, state);
            ModelOptions resolved = base.withClasses(classes);
            ComputationGraphConfiguration conf = entry.configure(resolved);

            LoadReport report = StateDictLoader.check(conf, StateDictLoader.shapesOf(state));
            if (options.mode() == StateDictLoader.Mode.STRICT && !report.clean()) {
                throw new WeightsMismatchException(weights.getFileName() + " does not fit " + entry.name()
                        + lookalike(entry, state), report);
            }
            long total = 0;
            Set<String> skip = new LinkedHashSet<>(report.missing());
            report.mismatched().forEach(m -> skip.add(m.key()));
            for (WeightKeys.TorchParam p : WeightKeys.torchParams(conf).values()) {
                if (!skip.contains(p.key())) {
                    StoredTensor t = state.get(p.key());
                    if (!t.dtype().isFloatingPoint()) {
                        throw new IllegalArgumentException(weights.getFileName() + ": tensor '" + p.key() + "' has type "
                                + t.dtype() + "; weights must be floating point");
                    }
                    total += t.numel() * t.dtype().width();
                }
            }
            ComputationGraph graph = allocate(entry, resolved, conf, options.mode());
            progress.start(total);
            StateDictLoader.load(graph, state, options.mode(), progress);

            Map<String, HostTensor> buffers = new LinkedHashMap<>();
            for (String key : report.ignored()) {
                StoredTensor t = state.get(key);
                buffers.put(key, new HostTensor(t.dtype(), t.shape(), t.read()));
            }
            Provenance provenance = new Provenance(Provenance.VERSION, Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
                    entry.name(), classes, entry.defaultInput().toString(),
                    new Provenance.Source(weights.getFileName().toString(), join(sha256), Files.size(weights),
                            checkpoint.format().name(), checkpoint.wrapper(), scheme.getKey().label(), prefixed,
                            dtypes(tensors), options.mode().name().toLowerCase(), countLoaded(conf, skip),
                            report.missing(), report.unexpected(),
                            report.mismatched().stream().map(LoadReport.Mismatch::toString).toList()),
                    new ArrayList<>(tensors.keySet()), null, null);
            return new Result(graph, report, provenance, buffers);
        }
    }

    /**
     * RepVGG checkpoints come in two forms: a train-form one (branches) or a deploy-form one ({@code rbr_reparam},
     * timm's {@code reparam_conv}). Either registry name of a variant imports either form, in any of its key schemes;
     * the keys decide which graph is built.
     */
    static ModelEntry formOf(ModelEntry entry, Set<String> keys) {
        if (entry.family() != Family.REPVGG) {
            return entry;
        }
        String base = entry.name().endsWith(DEPLOY_SUFFIX)
                ? entry.name().substring(0, entry.name().length() - DEPLOY_SUFFIX.length()) : entry.name();
        List<KeyAdapter> schemes = new ArrayList<>(List.of(KeyAdapter.IDENTITY));
        schemes.addAll(entry.architecture().keySchemes().values());
        boolean deploy = keys.stream().anyMatch(k -> schemes.stream()
                .anyMatch(scheme -> scheme.toGraphKey(k).contains(".rbr_reparam.")));
        return Zoo.registry().get(deploy ? base + DEPLOY_SUFFIX : base);
    }

    private static Set<String> expectedKeys(ComputationGraphConfiguration conf) {
        Set<String> keys = new LinkedHashSet<>();
        WeightKeys.torchParams(conf).values().forEach(p -> keys.add(p.key()));
        return keys;
    }

    /** The scheme under which most of the checkpoint's keys are the graph's; the reference naming wins ties. */
    static Map.Entry<KeyScheme, KeyAdapter> detectScheme(ModelEntry entry, Set<String> keys, Set<String> expected) {
        Map<KeyScheme, KeyAdapter> candidates = new LinkedHashMap<>();
        candidates.put(KeyScheme.REFERENCE, KeyAdapter.IDENTITY);
        candidates.putAll(entry.architecture().keySchemes());
        Map.Entry<KeyScheme, KeyAdapter> best = null;
        long bestHits = -1;
        for (Map.Entry<KeyScheme, KeyAdapter> candidate : candidates.entrySet()) {
            long hits = keys.stream().filter(k -> expected.contains(candidate.getValue().toGraphKey(k))).count();
            if (hits > bestHits) {
                best = candidate;
                bestHits = hits;
            }
        }
        return best;
    }

    /** The class count of the checkpoint's classifier: dim 0 of the last weight that has the default width. */
    private static int inferClasses(ModelEntry entry, ModelOptions base, Map<String, StoredTensor> state) {
        String head = null;
        for (WeightKeys.TorchParam p : WeightKeys.torchParams(entry.configure(base)).values()) {
            if (p.key().endsWith(".weight") && p.shape()[0] == base.numClasses()) {
                head = p.key();
            }
        }
        StoredTensor found = head == null ? null : state.get(head);
        if (found == null || found.shape().length == 0 || found.shape()[0] <= 0 || found.shape()[0] > Integer.MAX_VALUE) {
            return base.numClasses();
        }
        return (int) found.shape()[0];
    }

    private static ComputationGraph allocate(ModelEntry entry, ModelOptions options, ComputationGraphConfiguration conf,
                                             StateDictLoader.Mode mode) {
        if (mode == StateDictLoader.Mode.LENIENT) {
            return entry.init(options); // what the checkpoint lacks keeps its fresh initialisation
        }
        // Every parameter will be overwritten: skip DL4J's random initialisation (seconds for VGG).
        return Graphs.uninitialized(conf, DataType.FLOAT);
    }

    private static int countLoaded(ComputationGraphConfiguration conf, Set<String> skipped) {
        return (int) WeightKeys.torchParams(conf).values().stream().filter(p -> !skipped.contains(p.key())).count();
    }

    private static List<String> dtypes(Map<String, StoredTensor> tensors) {
        Set<String> types = new TreeSet<>();
        tensors.values().forEach(t -> types.add(t.dtype().name()));
        return List.copyOf(types);
    }

    /** ", which looks like a NAME checkpoint" when the keys and shapes fit another registered model exactly. */
    private static String lookalike(ModelEntry entry, Map<String, StoredTensor> state) {
        Map<String, long[]> shapes = StateDictLoader.shapesOf(state);
        for (ModelEntry other : Zoo.registry().entries()) {
            if (other.name().equals(entry.name())) {
                continue;
            }
            try {
                ModelOptions options = ModelOptions.defaults().withInput(other.defaultInput());
                int classes = inferClasses(other, options, state);
                if (StateDictLoader.check(other.configure(options.withClasses(classes)), shapes).clean()) {
                    return ": it looks like a " + other.name() + " checkpoint";
                }
            } catch (RuntimeException e) {
                // an entry that cannot be configured this way is simply not the lookalike
            }
        }
        return "";
    }

    private static String join(CompletableFuture<String> future) throws IOException {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
