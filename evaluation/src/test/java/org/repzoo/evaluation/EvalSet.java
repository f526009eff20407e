package org.repzoo.evaluation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelFiles;

/**
 * The fixtures of {@code tools/reference/eval_protocol_fixtures.py} in {@code src/test/resources/protocols}: the
 * protocols' views for several image sizes, the tiny image set with its two tiny nets, and the posteriors
 * PyTorch/torchvision computed for them. Public, and in the test jar, for the command line's tests.
 */
public final class EvalSet {

    public static final String MADE_BY = "/usr/bin/python3 tools/reference/eval_protocol_fixtures.py "
            + "evaluation/src/test/resources/protocols";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The preset the image set's references were computed with: torchvision's at resize 73 / crop 64 (the papers'
     * scales follow the crop, times 64/224), small to keep the tests fast; the 224 geometry is checked on its own.
     */
    public static final EvalPreset PRESET = preset();

    private EvalSet() {
    }

    /**
     * A fixture file's path: in target/test-classes, or inside the test jar when another module's build takes this
     * one's from the local repository (a file system of its own, opened once).
     */
    public static Path resource(String name) {
        var url = EvalSet.class.getResource("/protocols/" + name);
        if (url == null) {
            throw new IllegalStateException("/protocols/" + name + " missing: run " + MADE_BY);
        }
        try {
            URI uri = url.toURI();
            if ("jar".equals(uri.getScheme())) {
                synchronized (EvalSet.class) {
                    try {
                        FileSystems.getFileSystem(uri);
                    } catch (FileSystemNotFoundException notOpen) {
                        FileSystems.newFileSystem(uri, Map.of());
                    }
                }
            }
            return Path.of(uri);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The class-folder tree: bird, cat, dog, two images each. */
    public static Path images() {
        return resource("evalset/images");
    }

    /**
     * The same tree as a folder a command line can be given: {@link #images()} where it is on disk, else (the fixtures
     * read from another module's test jar) a copy under {@code folder}.
     */
    public static Path imageFolder(Path folder) throws IOException {
        Path images = images();
        if (images.getFileSystem() == FileSystems.getDefault()) {
            return images;
        }
        return copyImages(folder.resolve("evalset-images"));
    }

    /** A writable copy of {@link #images()} at {@code copy}, for tests that add or break files. */
    public static Path copyImages(Path copy) throws IOException {
        Path images = images();
        try (var files = Files.walk(images)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Path target = copy.resolve(images.relativize(file).toString());
                Files.createDirectories(target.getParent());
                Files.copy(file, target);
            }
        }
        return copy;
    }

    public static JsonNode json(String name) {
        try (InputStream in = name.endsWith(".gz") ? new GZIPInputStream(EvalSet.class.getResourceAsStream(
                "/protocols/" + name)) : EvalSet.class.getResourceAsStream("/protocols/" + name)) {
            if (in == null) {
                throw new IllegalStateException("/protocols/" + name + " missing: run " + MADE_BY);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Per image: path (relative to {@link #images()}), label, and per protocol the reference posterior. */
    public static JsonNode expected() {
        return json("evalset/expected.json");
    }

    /**
     * Tiny net {@code index} (0 or 1) of the fixture: conv 5x5/4 + ReLU, conv 3x3/2 + ReLU, global average pool,
     * linear to 7 classes, with the fixture's PyTorch weights.
     */
    public static ComputationGraph net(int index) {
        OneDnn.enable();
        JsonNode model = json("evalset/model.json");
        int classes = model.get("classes").asInt();
        GraphScope root = GraphScope.start("tiny", InputShape.of(3, 224, 224), 1);
        String x = root.conv("conv1", GraphScope.INPUT, Conv.of(4, 5).stride(4).relu());
        x = root.conv("conv2", x, Conv.of(6, 3).stride(2).relu());
        x = root.globalAvgPool("avgpool", x);
        x = root.logits("fc", x, classes, Inits.normal(0.1));
        ComputationGraph graph = new ComputationGraph(root.build(x));
        graph.init();
        JsonNode weights = model.get("nets").get(index);
        JsonNode shapes = model.get("shapes");
        for (Map.Entry<String, String> key : Map.of("conv1.weight", "conv1_W", "conv1.bias", "conv1_b",
                "conv2.weight", "conv2_W", "conv2.bias", "conv2_b", "fc.weight", "fc_W", "fc.bias", "fc_b").entrySet()) {
            JsonNode values = weights.get(key.getKey());
            float[] data = new float[values.size()];
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) values.get(i).asDouble();
            }
            long[] shape = JSON.convertValue(shapes.get(key.getKey()), long[].class);
            INDArray tensor = Nd4j.create(data, shape, 'c');
            INDArray param = graph.getParam(key.getValue());
            // DL4J's dense weight is nn.Linear's transposed; convolutions and biases match PyTorch's layout.
            param.assign(key.getKey().equals("fc.weight") ? tensor.transpose() : tensor.reshape(param.shape()));
        }
        return graph;
    }

    /** Net {@code index} saved as a model zip (no provenance: evaluation uses torchvision's preset). */
    public static Path saveNet(int index, Path folder) throws IOException {
        Path file = folder.resolve("tiny" + index + ".zip");
        ModelFiles.save(net(index), file, Map.of());
        return file;
    }

    private static EvalPreset preset() {
        JsonNode preset = expected().get("preset");
        return EvalPreset.torchvision(preset.get("resize").asInt(), preset.get("crop").asInt());
    }

    /** A JSON array as doubles. */
    public static double[] doubles(JsonNode array) {
        double[] values = new double[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asDouble();
        }
        return values;
    }
}
