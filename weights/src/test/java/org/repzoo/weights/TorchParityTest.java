package org.repzoo.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.repzoo.zoo.Fixtures;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.WeightKeys;

/**
 * Full-size parity with PyTorch 1.13 / torchvision 0.14 for every architecture that has a PyTorch reference:
 * the same hashed weights and input on both sides (tools/reference/parity_fixtures.py made the logits), eval mode,
 * 1000 classes, the fixture's input (224x224; Inception v3 at its default 299x299). A fixture may name its registered
 * architecture ({@code arch}) and options ({@code transform_input}). Target: max |logit - torch| / max |torch| at most 1e-4 and the same top-1.
 */
class TorchParityTest {

    private static final double TOLERANCE = 1e-4;
    private static final JsonNode FIXTURES = Fixtures.json("/parity/logits.json", "tools/reference/parity_fixtures.py");

    static Stream<String> models() {
        List<String> names = new ArrayList<>();
        FIXTURES.get("models").fieldNames().forEachRemaining(names::add);
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void logitsEqualPyTorchs(String name) throws Exception {
        JsonNode fixture = FIXTURES.get("models").get(name);
        ModelEntry entry = Zoo.registry().get(fixture.has("arch") ? fixture.get("arch").asText() : name);
        ModelOptions options = ModelOptions.defaults();
        if (fixture.path("transform_input").asBoolean(false)) {
            options = options.withTransformInput();
        }
        // the fixture's input: the default one, or 224 where the reference ran there (timm's 299 nets, D2se's 320)
        JsonNode size = fixture.has("input") ? fixture.get("input") : FIXTURES.get("input");
        InputShape shape = InputShape.of(size.get(0).asInt(), size.get(1).asInt(), size.get(2).asInt());
        ComputationGraph net = entry.init(options.withInput(shape));
        Map<String, INDArray> state = new LinkedHashMap<>();
        for (WeightKeys.TorchParam p : WeightKeys.torchParams(net.getConfiguration()).values()) {
            state.put(p.key(), HashedWeights.tensor(p.key(), p.shape()));
        }
        LoadReport report = StateDictLoader.load(net, HashedWeights.host(state), StateDictLoader.Mode.STRICT);
        assertTrue(report.clean());

        int batch = FIXTURES.get("batch").asInt();
        INDArray input = HashedWeights.tensor("input", new long[] {batch, shape.channels(), shape.height(), shape.width()});
        INDArray logits = net.output(false, input)[0]; // the main classifier (auxiliary ones follow it)
        assertArrayEquals(new long[] {batch, 1000}, logits.shape());

        double maxAbs = 0;
        double maxDiff = 0;
        for (int n = 0; n < batch; n++) {
            for (int c = 0; c < 1000; c++) {
                double torch = fixture.get("logits").get(n).get(c).asDouble();
                maxAbs = Math.max(maxAbs, Math.abs(torch));
                maxDiff = Math.max(maxDiff, Math.abs(torch - logits.getDouble(n, c)));
            }
            assertEquals(fixture.get("top1").get(n).asInt(), logits.getRow(n).argMax().getInt(0), name + " top-1, image " + n);
        }
        double relative = maxDiff / maxAbs;
        System.out.printf("parity %-18s max|dlogit|/max|logit| = %.2e%n", name, relative);
        assertTrue(relative <= TOLERANCE, name + ": relative difference " + relative);
    }
}
