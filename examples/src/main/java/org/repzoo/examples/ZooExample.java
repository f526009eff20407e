package org.repzoo.examples;

import java.nio.file.Path;
import java.util.Arrays;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;

public class ZooExample {
    public static void main(String[] args) throws Exception {
        ComputationGraph net = Zoo.registry().get("resnet50").init();   // fresh weights, 1000 classes, 3x224x224
        INDArray images = Nd4j.rand(DataType.FLOAT, 2, 3, 224, 224);     // NCHW, normalised as the model's preset says
        INDArray logits = net.outputSingle(images);                      // [2, 1000], logits as torchvision returns them
        System.out.println(Arrays.toString(logits.shape()));

        ComputationGraph small = Zoo.registry().get("resnet50")          // sized for your data
                .init(ModelOptions.defaults().withClasses(10).withInput(InputShape.of(3, 160, 160)));
        Path file = Path.of(args.length > 0 ? args[0] : ".").resolve("resnet50-10.zip");
        Zoo.save(small, file);                                           // DL4J ModelSerializer format, written atomically
        ComputationGraph again = Zoo.load(file);                         // or any zip of ./repzoo import, train, convert
        System.out.println(again.summary());
    }
}
