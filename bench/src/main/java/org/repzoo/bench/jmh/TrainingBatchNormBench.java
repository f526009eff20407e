package org.repzoo.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.repzoo.compat.BatchNormHelpers;
import org.repzoo.zoo.core.Graphs;

/**
 * One training step (forward, backward, SGD update, running statistics) of a lone batch-norm layer in DL4J, with
 * DL4J M2.1's oneDNN helper ({@code helper=dl4j}) or the training loop's plane helper ({@code helper=plane}). Shapes
 * are batch x channels x height x width: the Fashion-MNIST RepVGG's stage 1 and stage 4 at batch 256, and ResNet-50's
 * first stage at batch 16. The MSE loss on an identity output is the same in both, and small beside the batch norm.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class TrainingBatchNormBench {

    @Param({"256x12x16x16", "256x320x2x2", "16x64x112x112"})
    public String shape;

    @Param({"dl4j", "plane"})
    public String helper;

    private ComputationGraph graph;
    private INDArray input;
    private INDArray labels;

    @Setup
    public void setUp() {
        String[] dims = shape.split("x");
        int batch = Integer.parseInt(dims[0]);
        int channels = Integer.parseInt(dims[1]);
        int height = Integer.parseInt(dims[2]);
        int width = Integer.parseInt(dims[3]);
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .updater(new Sgd(0.01)).graphBuilder()
                .addInputs("in").setInputTypes(InputType.convolutional(height, width, channels))
                .addLayer("bn", new BatchNormalization.Builder().nOut(channels).build(), "in")
                .addLayer("out", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "bn")
                .setOutputs("out").build();
        graph = Graphs.create(conf);
        if (helper.equals("plane") && BatchNormHelpers.install(graph) != 1) {
            throw new IllegalStateException("the plane helper was not installed (is oneDNN on?)");
        }
        input = Nd4j.randn(DataType.FLOAT, batch, channels, height, width).muli(2).addi(1);
        labels = Nd4j.randn(DataType.FLOAT, batch, channels, height, width);
    }

    @Benchmark
    public double trainingStep() {
        graph.fit(new INDArray[] {input}, new INDArray[] {labels});
        return graph.score();
    }
}
