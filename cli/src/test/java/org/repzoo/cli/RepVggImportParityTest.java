package org.repzoo.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.weights.HashedWeights;
import org.repzoo.weights.Tensors;
import org.repzoo.weights.format.Checkpoint;
import org.repzoo.weights.format.HostTensor;
import org.repzoo.weights.format.Npy;
import org.repzoo.weights.format.Npz;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Provenance;

/**
 * Every registered RepVGG variant, train and deploy form, through {@code repzoo import} and {@code repzoo predict}
 * against the official model: the checkpoint holds the hashed weights of tools/reference/hashed_weights.py under the
 * official key names (written here from {@link HashedWeights}, one tensor at a time), and the logits are those
 * PyTorch computed with tools/reference/repvgg_reference.py for the same weights and input (a [2, 3, 32, 32] input
 * times 2^64, so that the deep variants' logits depend on the input and on every layer: the fixture script says why).
 */
class RepVggImportParityTest {

    private static final String FIXTURE = "/parity/repvgg_logits.npz";
    private static final String MADE_BY = "/usr/bin/python3 tools/reference/repvgg_import_fixtures.py "
            + "cli/src/test/resources/parity/repvgg_logits.npz";

    @TempDir
    static Path dir;

    private static Checkpoint expected;
    private static Path input;
    private static ExecutorService pool;
    private static final Map<String, Future<Commands>> runs = new ConcurrentHashMap<>();

    static Stream<String> variants() {
        return Zoo.registry().entries().stream().filter(e -> e.family() == Family.REPVGG).map(ModelEntry::name);
    }

    @BeforeAll
    static void fixture() throws IOException, URISyntaxException {
        URL url = RepVggImportParityTest.class.getResource(FIXTURE);
        if (url == null) {
            throw new IllegalStateException(FIXTURE + " missing: run " + MADE_BY);
        }
        expected = Npz.open(Path.of(url.toURI()));
        long[] shape = longs(expected.tensors().get("input_shape"));
        long log2Scale = longs(expected.tensors().get("input_log2_scale"))[0];
        INDArray x = HashedWeights.tensor("input", shape).muli(Math.scalb(1.0, (int) log2Scale)); // exact: a power of two
        input = dir.resolve("x.npy");
        Npy.write(input, Tensors.fromArray(x));
        // each variant's commands run mostly on one core: two at a time halve the class's time on two cores
        pool = Executors.newFixedThreadPool(2, task -> {
            Thread thread = new Thread(task, "repvgg-import-parity");
            thread.setDaemon(true);
            return thread;
        });
        variants().forEach(name -> runs.put(name, pool.submit(() -> importAndPredict(name))));
    }

    @AfterAll
    static void close() throws IOException, InterruptedException {
        if (pool != null) {
            pool.shutdownNow();
            pool.awaitTermination(1, TimeUnit.MINUTES);
        }
        if (expected != null) {
            expected.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("variants")
    void importThenPredictGivesTheOfficialModelsLogits(String name) throws Exception {
        StoredTensor reference = expected.tensors().get(name);
        assertNotNull(reference, name + " has no logits in " + FIXTURE + ": run " + MADE_BY);
        INDArray torch = Tensors.toFloatArray(reference, name);

        Commands run;
        try {
            run = runs.get(name).get();
        } catch (ExecutionException e) {
            throw new AssertionError(name + ": import or predict threw", e.getCause());
        }
        assertEquals(0, run.imported().code(), run.imported().err());
        assertTrue(run.imported().out().contains("imported " + name + " (1000 classes)")
                && run.imported().out().contains("reference key names"), run.imported().out());
        assertEquals(name, run.architecture());
        assertEquals(0, run.predicted().code(), run.predicted().err());
        INDArray logits = Tensors.toFloatArray(run.logits(), "y");
        assertArrayEquals(torch.shape(), logits.shape());

        double maxAbs = torch.amaxNumber().doubleValue();
        double maxDiff = torch.sub(logits).amaxNumber().doubleValue();
        assertTrue(maxDiff / maxAbs <= 1e-4, name + ": max |logit - PyTorch's| / max |PyTorch's| = " + maxDiff / maxAbs);
        for (int n = 0; n < torch.size(0); n++) {
            assertEquals(torch.getRow(n).argMax().getInt(0), logits.getRow(n).argMax().getInt(0), name + " image " + n);
        }
    }

    /** What the two commands printed, the architecture the model zip records, and the logits predict wrote. */
    private record Commands(Cli.Run imported, String architecture, Cli.Run predicted, HostTensor logits) {
    }

    /**
     * Writes the variant's checkpoint, runs {@code repzoo import} and {@code repzoo predict} on it and deletes the
     * files (up to 1 GB per variant); the assertions run in the test.
     */
    private static Commands importAndPredict(String name) throws IOException {
        Path weights = dir.resolve(name + ".npz");
        Path model = dir.resolve(name + ".zip");
        Path logitsFile = dir.resolve(name + "-y.npy");
        try {
            Npz.write(weights, HashedWeights.lazyStateDict(Zoo.registry().get(name).configure()));
            Cli.Run imported = Cli.run("import", name, "--weights", weights, "--out", model);
            if (imported.code() != 0) {
                return new Commands(imported, null, null, null);
            }
            String architecture = Provenance.of(model).orElseThrow().architecture();
            Cli.Run predicted = Cli.run("predict", model, "--input", input, "--output", logitsFile);
            return new Commands(imported, architecture, predicted, predicted.code() == 0 ? Npy.read(logitsFile) : null);
        } finally {
            for (Path file : new Path[] {weights, model, logitsFile}) {
                Files.deleteIfExists(file);
            }
        }
    }

    private static long[] longs(StoredTensor tensor) throws IOException {
        ByteBuffer data = tensor.read();
        long[] values = new long[Math.toIntExact(tensor.numel())];
        for (int i = 0; i < values.length; i++) {
            values[i] = data.getLong(i * Long.BYTES);
        }
        return values;
    }
}
