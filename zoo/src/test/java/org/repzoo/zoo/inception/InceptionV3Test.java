package org.repzoo.zoo.inception;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.InputTooSmallException;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;

class InceptionV3Test {

    private static final ModelEntry V3 = Zoo.registry().get("inception_v3");

    private static ModelOptions at(int side) {
        return ModelOptions.defaults().withClasses(5).withInput(InputShape.of(3, side, side));
    }

    /** TF-slim's train_image_classifier.py weighs the AuxLogits loss 0.4. */
    @Test
    void auxiliaryClassifierBranchesOffAfterMixed6eAndFollowsTheMainOutput() {
        ComputationGraphConfiguration conf = V3.configure();
        assertEquals(List.of("fc", "AuxLogits.fc"), conf.getNetworkOutputs());
        assertEquals(List.of("Mixed_6e.cat"), conf.getVertexInputs().get("AuxLogits.avg_pool"));
        assertEquals(1.0, GoogLeNetTest.lossWeight(conf, "fc"));
        assertEquals(0.4, GoogLeNetTest.lossWeight(conf, "AuxLogits.fc"));
        ComputationGraphConfiguration without = V3.configure(ModelOptions.defaults().withoutAuxLogits());
        assertEquals(List.of("fc"), without.getNetworkOutputs());
        assertEquals(23_834_568L, GraphStats.of(without, V3.defaultInput()).parameters()); // torchvision, aux_logits=False
    }

    /**
     * The auxiliary classifier's 5x5/3 pool and 5x5 convolution need Mixed_6e to be 17x17, i.e. a 299x299 input;
     * without it the net runs from torchvision's minimum, 75x75 (Mixed_7a's 3x3/2 needs a 3x3 map).
     */
    @Test
    void withItsAuxiliaryClassifierTheNetNeeds299AndWithoutIt75() {
        InputTooSmallException e = assertThrows(InputTooSmallException.class, () -> V3.configure(at(298)));
        assertTrue(e.getMessage().contains("AuxLogits"), e.getMessage());
        V3.configure(at(299));
        V3.configure(at(75).withoutAuxLogits());
        assertThrows(InputTooSmallException.class, () -> V3.configure(at(74).withoutAuxLogits()));
    }

    /**
     * {@code F.avg_pool2d(x, 3, stride=1, padding=1)} counts the padding (PyTorch's default): at a corner the window
     * holds 4 pixels and the mean still divides by 9, on an edge 6 pixels over 9. Checked in the net itself, in blocks
     * A (7x7 maps at a 75x75 input), C (3x3) and E (1x1, where the pool is x/9), with oneDNN on.
     */
    @Test
    void averagePoolsOfBlocksACAndEDivideByNineAtTheBorder() {
        ComputationGraph net = V3.init(at(75).withoutAuxLogits());
        Map<String, INDArray> activations = net.feedForward(Nd4j.rand(DataType.FLOAT, 1, 3, 75, 75), false);
        for (String[] block : new String[][] {{"maxpool2", "Mixed_5b"}, {"Mixed_6a.cat", "Mixed_6b"}, {"Mixed_7a.cat", "Mixed_7b"}}) {
            INDArray in = activations.get(block[0]);
            INDArray out = activations.get(block[1] + ".avg_pool");
            assertEquals(List.of(block[1] + ".avg_pool.pad"), net.getConfiguration().getVertexInputs().get(block[1] + ".avg_pool"));
            int last = (int) in.size(2) - 1;
            for (int c = 0; c < in.size(1); c += 37) {
                double corner = window(in, c, 0, 0) / 9;
                assertEquals(corner, out.getDouble(0, c, 0, 0), 1e-5 * Math.max(1, Math.abs(corner)), block[1]);
                double farCorner = window(in, c, last, last) / 9;
                assertEquals(farCorner, out.getDouble(0, c, last, last), 1e-5 * Math.max(1, Math.abs(farCorner)), block[1]);
                if (last >= 2) {
                    double edge = window(in, c, 0, 1) / 9;
                    assertEquals(edge, out.getDouble(0, c, 0, 1), 1e-5 * Math.max(1, Math.abs(edge)), block[1]);
                }
            }
        }
    }

    /** Sum of the in-image pixels of the 3x3 window centred at (row, col). */
    private static double window(INDArray x, int channel, int row, int col) {
        double sum = 0;
        for (int i = row - 1; i <= row + 1; i++) {
            for (int j = col - 1; j <= col + 1; j++) {
                if (i >= 0 && j >= 0 && i < x.size(2) && j < x.size(3)) {
                    sum += x.getDouble(0, channel, i, j);
                }
            }
        }
        return sum;
    }
}
