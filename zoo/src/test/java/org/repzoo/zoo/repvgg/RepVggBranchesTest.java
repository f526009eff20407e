package org.repzoo.zoo.repvgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;

/** The paper's ablation variants (Table 6) and CPU-sized RepVGGs: which vertices exist, how wide they are. */
class RepVggBranchesTest {

    private static final ModelOptions SMALL = ModelOptions.defaults().withClasses(10).withInput(InputShape.of(1, 32, 32));

    private static long count(ComputationGraphConfiguration conf, String suffix) {
        return conf.getVertices().keySet().stream().filter(name -> name.endsWith(suffix)).count();
    }

    @ParameterizedTest
    @EnumSource(RepVggConfig.Branches.class)
    void aBlockHasTheBranchesAsked(RepVggConfig.Branches branches) {
        // A0 layout, 1 + 2 + 4 + 14 + 1 = 22 blocks, of which 2 - 1 + 4 - 1 + 14 - 1 = 17 keep shape (identity-able)
        RepVgg net = new RepVgg(RepVggConfig.A0.withBranches(branches), RepVgg.Form.TRAIN);
        ComputationGraphConfiguration conf = net.configure("ablation", SMALL);
        assertEquals(22, count(conf, "rbr_dense.conv"));
        assertEquals(branches.pointwise() ? 22 : 0, count(conf, "rbr_1x1.conv"));
        assertEquals(branches.identity() ? 17 : 0, count(conf, "rbr_identity"));
        long adds = conf.getVertices().keySet().stream().filter(n -> n.endsWith(".add") || n.equals("add")).count();
        long expectedAdds = branches.pointwise() ? 22 : branches.identity() ? 17 : 0;
        assertEquals(expectedAdds, adds);
    }

    @Test
    void resizingScalesEveryStageAndKeepsTheDeployFormPlain() {
        RepVggConfig small = RepVggConfig.A0.resized(List.of(1, 2, 4, 1), 0.25);
        // A0's widths 48, 48, 96, 192, 1280 times 0.25
        assertEquals(List.of(12, 12, 24, 48, 320), List.of(small.width(0), small.width(1), small.width(2),
                small.width(3), small.width(4)));
        ComputationGraphConfiguration deploy = new RepVgg(small, RepVgg.Form.DEPLOY).configure("cpu", SMALL);
        assertEquals(1 + 1 + 2 + 4 + 1, count(deploy, "rbr_reparam"));
        // deploy weights: 3x3 convs with bias, then the classifier, counted by hand
        long expected = (9L * 1 * 12 + 12) + (9L * 12 * 12 + 12) + (9L * 12 * 24 + 24) + (9L * 24 * 24 + 24)
                + (9L * 24 * 48 + 48) + 3 * (9L * 48 * 48 + 48) + (9L * 48 * 320 + 320) + (320L * 10 + 10);
        long actual = deploy.getVertices().values().stream().mapToLong(v -> v.numParams(true)).sum();
        assertEquals(expected, actual);
        assertEquals(RepVggConfig.A0, RepVggConfig.A0.resized(RepVggConfig.A0.depths(), 1.0));
        assertEquals(Set.of(), Set.copyOf(RepVggConfig.A0.resized(List.of(1, 1, 1, 1), 0.01).depths().stream()
                .filter(d -> d != 1).toList()));
        assertThrows(IllegalArgumentException.class, () -> RepVggConfig.A0.resized(List.of(1, 0, 1, 1), 1));
    }

    @Test
    void aStrideOfOneKeepsTheResolutionAndGainsTheIdentityBranch() {
        RepVggConfig small = RepVggConfig.A0.resized(List.of(1, 2, 4, 1), 0.25);
        RepVggConfig kept = small.withStrides(List.of(2, 1, 2, 2, 2));
        ComputationGraphConfiguration official = new RepVgg(small, RepVgg.Form.TRAIN).configure("cpu", SMALL);
        ComputationGraphConfiguration conf = new RepVgg(kept, RepVgg.Form.TRAIN).configure("cpu", SMALL);
        // 32 -> 16 (stage 0) -> 16 (stage 1 at stride 1) -> 8 -> 4 -> 2, where the official strides end at 1x1
        assertEquals(List.of(16, 16, 8, 4, 2), sizes(conf));
        assertEquals(List.of(16, 8, 4, 2, 1), sizes(official));
        // stage1.0 now maps 12 channels to 12 at stride 1: the official rule gives it an identity BN
        assertEquals(count(official, "rbr_identity") + 1, count(conf, "rbr_identity"));
        assertEquals(1, count(conf, "stage1.0.rbr_identity"));
        assertEquals(RepVggConfig.STRIDES, small.strides());
        assertThrows(IllegalArgumentException.class, () -> small.withStrides(List.of(2, 3, 2, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> small.withStrides(List.of(2, 1, 2, 2)));
    }

    /** Height of each stage's output (stage 0 and the last block of stages 1-4). */
    private static List<Integer> sizes(ComputationGraphConfiguration conf) {
        var types = conf.getLayerActivationTypes(InputType.convolutional(32, 32, 1));
        return List.of("stage0.nonlinearity", "stage1.0.nonlinearity", "stage2.1.nonlinearity",
                "stage3.3.nonlinearity", "stage4.0.nonlinearity").stream()
                .map(name -> (int) ((InputType.InputTypeConvolutional) types.get(name)).getHeight()).toList();
    }
}
