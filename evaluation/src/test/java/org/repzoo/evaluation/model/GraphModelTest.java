package org.repzoo.evaluation.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;

/** A DL4J graph behind the model interface: the main head's logits, and images that do not fit named as such. */
class GraphModelTest {

    @Test
    void logitsAreTheMainHeadOfANetWithAuxiliaryHeads() {
        ComputationGraph net = Zoo.registry().get("googlenet").init(ModelOptions.defaults().withClasses(5)
                .withInput(InputShape.of(3, 64, 64)));
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 64, 64);
        INDArray[] outputs = net.output(false, x);
        assertEquals(3, outputs.length, "the main head and two auxiliary ones");
        float[] logits = new GraphModel(net).logits(x.dup('c').data().asFloat(), 2, 3, 64, 64);
        assertArrayEquals(outputs[0].dup('c').data().asFloat(), logits);
        assertFalse(outputs[1].equalsWithEps(outputs[0], 1e-3));
    }

    @Test
    void imagesThatDoNotFitTheLayersAreTheCallersError() {
        ComputationGraph net = Zoo.registry().get("resnet18").init(ModelOptions.defaults().withClasses(5)
                .withInput(InputShape.of(3, 64, 64)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new GraphModel(net).logits(new float[64 * 64], 1, 1, 64, 64));
        assertTrue(e.getMessage().startsWith("the model cannot run images of 1x64x64: "), e.getMessage());
    }
}
