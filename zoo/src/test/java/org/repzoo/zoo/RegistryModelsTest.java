package org.repzoo.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.WeightKeys;

/** Every registered model, checked the same way (timm's tests/test_models.py is the model for this suite). */
class RegistryModelsTest {

    private static final int CLASSES = SmallInputs.CLASSES;

    private static final JsonNode GOLDEN = Fixtures.json("/golden/torchvision.json", "tools/reference/golden_keys.py");

    static Stream<ModelEntry> entries() {
        return Zoo.registry().stream();
    }

    static Stream<ModelEntry> torchvisionEntries() {
        return Zoo.registry().stream().filter(e -> GOLDEN.get("models").has(e.name()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void configurationBuildsAndRoundTripsThroughJson(ModelEntry entry) {
        ComputationGraphConfiguration conf = entry.configure();
        ComputationGraphConfiguration restored = ComputationGraphConfiguration.fromJson(conf.toJson());
        assertEquals(conf, restored);
        assertEquals(conf.toJson(), restored.toJson());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void parameterCountEqualsTheReference(ModelEntry entry) {
        long computed = GraphStats.of(entry.configure(), entry.defaultInput()).parameters();
        assertTrue(entry.reference().matches(computed),
                entry.name() + ": " + computed + " parameters, reference " + entry.reference().parameters()
                        + " (" + entry.reference().source() + ")");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("torchvisionEntries")
    void parameterKeysAndShapesEqualTorchvision(ModelEntry entry) {
        Map<String, List<Long>> expected = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> keys = GOLDEN.get("models").get(entry.name()).get("keys").fields();
        while (keys.hasNext()) {
            Map.Entry<String, JsonNode> key = keys.next();
            if (key.getKey().endsWith(".num_batches_tracked")) {
                continue; // a counter, not a weight; DL4J has no counterpart
            }
            List<Long> shape = new ArrayList<>();
            key.getValue().forEach(d -> shape.add(d.asLong()));
            expected.put(key.getKey(), shape);
        }
        Map<String, List<Long>> actual = new TreeMap<>();
        for (WeightKeys.TorchParam p : WeightKeys.torchParams(entry.configure()).values()) {
            actual.put(p.key(), Stream.of(p.shape()).flatMapToLong(java.util.Arrays::stream).boxed().toList());
        }
        assertEquals(expected, actual);
    }

    /** At 224x224, where the golden file counts, whatever the model's default input (RepVGG-D2se's is 320). */
    @ParameterizedTest(name = "{0}")
    @MethodSource("torchvisionEntries")
    void multiplyAddsEqualTorchvisionHooks(ModelEntry entry) {
        // the golden file counts at the size its script built the reference at (the default input, or 224)
        String key = GOLDEN.get("models").get(entry.name()).has("multiply_adds_" + entry.defaultInput().height())
                ? "multiply_adds_" + entry.defaultInput().height() : "multiply_adds_224"; // auxiliary classifiers included
        int size = Integer.parseInt(key.substring(key.lastIndexOf('_') + 1));
        InputShape input = InputShape.of(3, size, size);
        assertEquals(GOLDEN.get("models").get(entry.name()).get(key).asLong(),
                GraphStats.of(entry.configure(ModelOptions.defaults().withInput(input)), input).multiplyAdds());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void everyVertexFeedsTheOutputAndIsFedByTheInput(ModelEntry entry) {
        ComputationGraphConfiguration conf = entry.configure();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Set<String> consumed = new HashSet<>();
        inputs.values().forEach(consumed::addAll);
        for (String vertex : conf.getVertices().keySet()) {
            assertTrue(consumed.contains(vertex) || conf.getNetworkOutputs().contains(vertex),
                    entry.name() + ": vertex " + vertex + " feeds nothing");
            assertFalse(inputs.getOrDefault(vertex, List.of()).isEmpty(), entry.name() + ": vertex " + vertex + " has no input");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("entries")
    void forwardAtSmallInputGivesLogitsWithoutNaNAndSurvivesSerialization(ModelEntry entry, @TempDir Path dir) throws IOException {
        InputShape small = SmallInputs.of(entry);
        ComputationGraph net = entry.init(ModelOptions.defaults().withClasses(CLASSES).withInput(small));
        INDArray input = Nd4j.rand(org.nd4j.linalg.api.buffer.DataType.FLOAT, 2, small.channels(), small.height(), small.width());
        INDArray[] outputs = net.output(false, input); // the main classifier, then any auxiliary ones
        for (INDArray out : outputs) {
            assertArrayEquals(new long[] {2, CLASSES}, out.shape());
            assertFalse(out.isNaN().any() || out.isInfinite().any(), entry.name() + " produced NaN/Inf");
            assertTrue(out.std().getDouble(0) > 0, entry.name() + " produced constant logits");
        }

        Path file = dir.resolve(entry.name() + ".zip");
        Zoo.save(net, file);
        ComputationGraph restored = Zoo.load(file);
        assertEquals(net.getConfiguration(), restored.getConfiguration());
        assertArrayEquals(outputs, restored.output(false, input));
        Files.delete(file);
    }
}
