package org.repzoo.examples;

import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.ModelEntry;

/** A registered architecture as a DL4J {@code ComputationGraph}: fresh weights, one forward pass. */
public final class LoadZooModel {

    private LoadZooModel() {
    }

    /** The logits of one random image through the named model, at its default input size. */
    public static INDArray logits(String name) {
        ModelEntry entry = Zoo.registry().get(name);            // "resnet18", "repvgg_a0", ... (repzoo list)
        ComputationGraph graph = entry.init();                  // oneDNN on, weights as the reference initialises
        var input = entry.defaultInput();                       // 3x224x224, 3x299x299 for the Inception family
        INDArray image = Nd4j.rand(DataType.FLOAT, 1, input.channels(), input.height(), input.width());
        return graph.outputSingle(false, image);
    }

    public static void main(String[] args) {
        String name = args.length > 0 ? args[0] : "resnet18";
        System.out.println(name + ": logits " + Arrays.toString(logits(name).shape()));
    }
}
