package org.repzoo.bench.jmh;

import java.util.concurrent.TimeUnit;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
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
import org.repzoo.zoo.core.Graphs;
import org.repzoo.zoo.core.GroupedConvolution;

/**
 * RepZoo's {@link GroupedConvolution} (3x3, stride 1, padding 1, channels in = out, batch 16) on ResNeXt-50's shapes:
 * forward in inference mode, and a training step (forward, backward, SGD) through an MSE loss. {@code shape} is
 * {@code CHANNELSxSIZEgGROUPS}; groups 1 is the dense convolution the grouped one is measured against.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=8G"})
public class GroupedConvolutionBench {

    @Param({"128x56g32", "256x28g32", "512x14g32", "1024x7g32", "256x28g1"})
    public String shape;

    private ComputationGraph net;
    private INDArray input;
    private INDArray target;

    @Setup
    public void setUp() {
        String[] parts = shape.split("[xg]");
        int channels = Integer.parseInt(parts[0]);
        int size = Integer.parseInt(parts[1]);
        int groups = Integer.parseInt(parts[2]);
        net = Graphs.create(new NeuralNetConfiguration.Builder().seed(1).dataType(DataType.FLOAT)
                .updater(new Sgd(1e-4)).weightInit(WeightInit.RELU).convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder().addInputs("in").setInputTypes(InputType.convolutional(size, size, channels))
                .addLayer("conv", new GroupedConvolution.Builder(3, 3).groups(groups).padding(1, 1).nOut(channels)
                        .hasBias(false).activation(Activation.IDENTITY).build(), "in")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE)
                        .activation(Activation.IDENTITY).build(), "conv")
                .setOutputs("loss").build());
        input = Nd4j.rand(DataType.FLOAT, 16, channels, size, size).subi(0.5);
        target = Nd4j.rand(DataType.FLOAT, 16, channels, size, size);
    }

    @Benchmark
    public INDArray forward() {
        return net.outputSingle(false, input);
    }

    @Benchmark
    public void trainStep() {
        net.fit(new INDArray[] {input}, new INDArray[] {target});
    }
}
