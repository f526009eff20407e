package org.repzoo.zoo.repvgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
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
}
