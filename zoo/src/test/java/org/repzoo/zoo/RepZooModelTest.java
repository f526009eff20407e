package org.repzoo.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.zoo.PretrainedType;
import org.deeplearning4j.zoo.ZooModel;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.ModelOptions;

/** Existing DL4J code that takes a {@link ZooModel} works with RepZoo models unchanged. */
class RepZooModelTest {

    @Test
    void dl4jZooModelApiBuildsTheGraph() {
        ZooModel<ComputationGraph> model = Zoo.registry().get("resnet18").zooModel(ModelOptions.defaults().withClasses(5));
        assertEquals("resnet18", model.modelName());
        assertArrayEquals(new int[] {3, 224, 224}, model.metaData().getInputShape()[0]);
        model.setInputShape(new int[][] {{3, 48, 48}});
        ComputationGraph net = model.init();
        assertArrayEquals(new long[] {1, 5}, net.outputSingle(Nd4j.rand(DataType.FLOAT, 1, 3, 48, 48)).shape());
        assertEquals(ComputationGraph.class, model.modelType());
        assertNull(model.pretrainedUrl(PretrainedType.IMAGENET));
    }
}
