package org.repzoo.zoo.xception;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;
import org.repzoo.zoo.GradientFlow;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Pool;

class XceptionTest {

    private static final ModelEntry ENTRY = Zoo.registry().get("xception");

    // Written from the paper's Figure 5 and timm's Block (rep = [ReLU, SeparableConv2d, BN] per repetition, the
    // first ReLU dropped in block1, a max pool after a strided block's last BN; the shortcut reads the block's input,
    // before rep.0's ReLU). {in} is the block's input, {b} the block.
    private static final String STEM = """
            conv1 <- input
            bn1 <- conv1
            act1 <- bn1
            conv2 <- act1
            bn2 <- conv2
            act2 <- bn2
            """;
    /** block1: no leading ReLU, two separable convolutions, max pool, 1x1 projection shortcut. */
    private static final String ENTRY_BLOCK_WITHOUT_RELU = """
            {b}.rep.0.conv1 <- {in}
            {b}.rep.0.pointwise <- {b}.rep.0.conv1
            {b}.rep.1 <- {b}.rep.0.pointwise
            {b}.rep.2 <- {b}.rep.1
            {b}.rep.3.conv1 <- {b}.rep.2
            {b}.rep.3.pointwise <- {b}.rep.3.conv1
            {b}.rep.4 <- {b}.rep.3.pointwise
            {b}.rep.5 <- {b}.rep.4
            {b}.skip <- {in}
            {b}.skipbn <- {b}.skip
            {b}.add <- {b}.rep.5, {b}.skipbn
            """;
    /** block2, block3, block12: ReLU first, two separable convolutions, max pool, 1x1 projection shortcut. */
    private static final String STRIDED_BLOCK = """
            {b}.rep.0 <- {in}
            {b}.rep.1.conv1 <- {b}.rep.0
            {b}.rep.1.pointwise <- {b}.rep.1.conv1
            {b}.rep.2 <- {b}.rep.1.pointwise
            {b}.rep.3 <- {b}.rep.2
            {b}.rep.4.conv1 <- {b}.rep.3
            {b}.rep.4.pointwise <- {b}.rep.4.conv1
            {b}.rep.5 <- {b}.rep.4.pointwise
            {b}.rep.6 <- {b}.rep.5
            {b}.skip <- {in}
            {b}.skipbn <- {b}.skip
            {b}.add <- {b}.rep.6, {b}.skipbn
            """;
    /** block4 ... block11 (middle flow): three times ReLU, separable convolution, BN; identity shortcut. */
    private static final String MIDDLE_BLOCK = """
            {b}.rep.0 <- {in}
            {b}.rep.1.conv1 <- {b}.rep.0
            {b}.rep.1.pointwise <- {b}.rep.1.conv1
            {b}.rep.2 <- {b}.rep.1.pointwise
            {b}.rep.3 <- {b}.rep.2
            {b}.rep.4.conv1 <- {b}.rep.3
            {b}.rep.4.pointwise <- {b}.rep.4.conv1
            {b}.rep.5 <- {b}.rep.4.pointwise
            {b}.rep.6 <- {b}.rep.5
            {b}.rep.7.conv1 <- {b}.rep.6
            {b}.rep.7.pointwise <- {b}.rep.7.conv1
            {b}.rep.8 <- {b}.rep.7.pointwise
            {b}.add <- {b}.rep.8, {in}
            """;
    private static final String EXIT = """
            conv3.conv1 <- block12.add
            conv3.pointwise <- conv3.conv1
            bn3 <- conv3.pointwise
            act3 <- bn3
            conv4.conv1 <- act3
            conv4.pointwise <- conv4.conv1
            bn4 <- conv4.pointwise
            act4 <- bn4
            global_pool <- act4
            fc <- global_pool
            """;

    /** Every vertex of the graph, and the inputs it reads, in order: exactly the table above. */
    @Test
    void everyVertexReadsTheInputOfFigure5() {
        Map<String, List<String>> expected = new TreeMap<>();
        table(expected, STEM, "", "");
        table(expected, ENTRY_BLOCK_WITHOUT_RELU, "block1", "act2");
        table(expected, STRIDED_BLOCK, "block2", "block1.add");
        table(expected, STRIDED_BLOCK, "block3", "block2.add");
        for (int b = 4; b <= 11; b++) {
            table(expected, MIDDLE_BLOCK, "block" + b, "block" + (b - 1) + ".add");
        }
        table(expected, STRIDED_BLOCK, "block12", "block11.add");
        table(expected, EXIT, "", "");

        ComputationGraphConfiguration conf = ENTRY.configure();
        assertEquals(expected, new TreeMap<>(conf.getVertexInputs()));
        assertEquals(List.of("fc"), conf.getNetworkOutputs());
    }

    /** Figure 5 at 299x299: 19x19x728 through the middle flow, 10x10x2048 before the pooling. */
    @Test
    void outputShapesFollowFigure5() {
        InputShape input = InputShape.of(3, 299, 299);
        Map<String, String> shapes = new HashMap<>();
        GraphStats.of(ENTRY.configure(), input).rows().forEach(r -> shapes.put(r.name(), r.output()));
        assertEquals("32x149x149", shapes.get("act1"));
        assertEquals("64x147x147", shapes.get("act2"));
        assertEquals("128x74x74", shapes.get("block1.add"));
        assertEquals("256x37x37", shapes.get("block2.add"));
        assertEquals("728x19x19", shapes.get("block3.add"));
        for (int b = 4; b <= 11; b++) {
            assertEquals("728x19x19", shapes.get("block" + b + ".add"), "middle flow block" + b);
        }
        assertEquals("728x19x19", shapes.get("block12.rep.1.pointwise")); // grow_first=False: 728 first
        assertEquals("1024x19x19", shapes.get("block12.rep.4.pointwise"));
        assertEquals("1024x10x10", shapes.get("block12.add"));
        assertEquals("1536x10x10", shapes.get("act3"));
        assertEquals("2048x10x10", shapes.get("act4"));
    }

    /**
     * The strided blocks' {@code MaxPool2d(3, 2, padding=1)} reads a BatchNorm output, which can be negative: the
     * padding must not take part (PyTorch pads max pooling with -inf). Checked with oneDNN on, on negative values.
     */
    @Test
    void paddedMaxPoolIgnoresThePaddingOnNegativeInputs() {
        GraphScope root = GraphScope.start("t", InputShape.of(1, 4, 5), 1);
        String pool = root.pool("pool", GraphScope.INPUT, Pool.max(3, 2).padding(1));
        OneDnn.enable();
        ComputationGraph net = new ComputationGraph(root.build(root.loss("loss", root.globalAvgPool("gap", pool))));
        net.init();
        INDArray x = Nd4j.arange(20).castTo(DataType.FLOAT).reshape(1, 1, 4, 5).addi(1).negi(); // -1 ... -20
        INDArray y = net.feedForward(x, false).get("pool");
        assertEquals(Arrays.toString(new long[] {1, 1, 2, 3}), Arrays.toString(y.shape()));
        // window rows -1..1, cols -1..1 -> cells (0,0),(0,1),(1,0),(1,1): max(-1, -2, -6, -7) = -1
        assertEquals(-1, y.getDouble(0, 0, 0, 0), 0);
        // window rows 1..3, cols 3..5 -> cells rows 1-3, cols 3-4: max = -(1*5+3+1) = -9
        assertEquals(-9, y.getDouble(0, 0, 1, 2), 0);
    }

    /** A training-mode backward pass at 64x64 (2x2 last grid). */
    @Test
    void everyParameterGetsAGradient() {
        // 74 convolutions (stem 2, shortcuts 4, 34 separable = 68 depthwise and pointwise), 40 BNs (gamma, beta), fc
        // weight and bias
        assertEquals(74 + 40 * 2 + 2, GradientFlow.assertEveryParameterGetsAGradient(ENTRY, InputShape.of(3, 64, 64), 5));
    }

    private static void table(Map<String, List<String>> into, String text, String block, String input) {
        for (String line : text.strip().split("\n")) {
            String[] parts = line.replace("{b}", block).replace("{in}", input).split(" <- ");
            List<String> inputs = new ArrayList<>();
            for (String name : parts[1].split(", ")) {
                inputs.add(name.equals("input") ? GraphScope.INPUT : name);
            }
            into.put(parts[0], inputs);
        }
    }
}
