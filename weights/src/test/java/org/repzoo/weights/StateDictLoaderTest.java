package org.repzoo.weights;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.WeightKeys;

class StateDictLoaderTest {

    private static final ModelOptions SMALL = ModelOptions.defaults().withInput(InputShape.of(3, 32, 32));

    private static Map<String, INDArray> stateOf(ComputationGraph net) {
        Map<String, INDArray> state = new LinkedHashMap<>();
        for (WeightKeys.TorchParam p : WeightKeys.torchParams(net.getConfiguration()).values()) {
            state.put(p.key(), HashedWeights.tensor(p.key(), p.shape()));
        }
        return state;
    }

    @Test
    void linearWeightsAreTransposedIntoDl4jsLayout() throws Exception {
        ComputationGraph net = Zoo.registry().get("resnet18").init(SMALL);
        Map<String, INDArray> state = stateOf(net);
        state.put("bn1.num_batches_tracked", Nd4j.scalar(DataType.LONG, 7));
        LoadReport report = StateDictLoader.load(net, HashedWeights.host(state), StateDictLoader.Mode.STRICT);
        assertEquals(List.of("bn1.num_batches_tracked"), report.ignored());
        INDArray torchFc = state.get("fc.weight"); // [1000, 512]
        assertEquals(torchFc.getDouble(3, 17), net.getParam("fc_W").getDouble(17, 3), 0);
        assertEquals(state.get("layer1.0.bn1.running_var").getDouble(5), net.getParam("layer1.0.bn1_var").reshape(-1).getDouble(5), 0);
        assertEquals(state.get("conv1.weight"), net.getParam("conv1_W"));
    }

    @Test
    void strictLoadListsEveryProblemAndChangesNothing() throws Exception {
        ComputationGraph net = Zoo.registry().get("resnet18").init(SMALL);
        INDArray before = net.params().dup();
        Map<String, INDArray> state = stateOf(net);
        state.remove("layer2.1.bn2.running_mean");
        state.put("head.weight", Nd4j.zeros(DataType.FLOAT, 3));
        state.put("conv1.weight", Nd4j.zeros(DataType.FLOAT, 64, 3, 3, 3));
        WeightsMismatchException e = assertThrows(WeightsMismatchException.class, () -> StateDictLoader.load(net, HashedWeights.host(state), StateDictLoader.Mode.STRICT));
        assertEquals(List.of("missing key layer2.1.bn2.running_mean", "unexpected key head.weight",
                "shape mismatch conv1.weight: expected [64, 3, 7, 7], found [64, 3, 3, 3]"), e.report().problems());
        assertTrue(e.getMessage().contains("3 problems"));
        assertEquals(before, net.params());
    }

    @Test
    void nonStrictLoadSkipsANewClassifierForFineTuning() throws Exception {
        ComputationGraph imagenet = Zoo.registry().get("resnet18").init(SMALL);
        Map<String, INDArray> state = stateOf(imagenet);
        ComputationGraph tenClasses = Zoo.registry().get("resnet18").init(SMALL.withClasses(10));
        INDArray headBefore = tenClasses.getParam("fc_W").dup();
        LoadReport report = StateDictLoader.load(tenClasses, HashedWeights.host(state), StateDictLoader.Mode.LENIENT);
        assertEquals(List.of("fc.weight", "fc.bias"), report.mismatched().stream().map(LoadReport.Mismatch::key).toList());
        assertEquals(headBefore, tenClasses.getParam("fc_W"));
        assertEquals(state.get("layer4.1.conv2.weight"), tenClasses.getParam("layer4.1.conv2_W"));
    }
}
