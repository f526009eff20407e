package org.repzoo.zoo.core;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Speed of the ways to run Xception's {@code SeparableConv2d} (depthwise 3x3, stride 1, padding 1, no bias, then a
 * pointwise 1x1 without bias) with oneDNN on, at the shapes Xception has at 299x299:
 * <ul>
 *   <li>{@code grouped depthwise}: {@link GroupedConvolution} with groups = channels (its default plan: one libnd4j
 *       {@code depthwise_conv2d} call on the PyTorch-shaped weight) + a 1x1 {@code ConvolutionLayer};</li>
 *   <li>{@code grouped block-diagonal}: the same layer forced to block-diagonal {@code conv2d} calls of at least 16
 *       channels (what it did for every grouped convolution before the depthwise path) + the 1x1;</li>
 *   <li>{@code dl4j depthwise}: DL4J's {@link DepthwiseConvolution2D} (weight [kH, kW, C, 1], a permutation of
 *       PyTorch's) + the 1x1;</li>
 *   <li>{@code dl4j separable}: DL4J's {@link SeparableConvolution2D}, both convolutions in one layer.</li>
 * </ul>
 * Every candidate runs once per round, rounds interleaved, median printed. Not part of the normal suite:
 * {@code mvn -o -q -B -pl zoo test -Dtest=SeparableConvolutionBenchmark -Drepzoo.bench=true
 * -Dsurefire.failIfNoSpecifiedTests=false}. Figures are in {@code docs/SEPARABLE_CONVOLUTION.md}.
 */
class SeparableConvolutionBenchmark {

    private static final int BATCH = Integer.getInteger("repzoo.bench.batch", 8);
    private static final int WARMUP = 1;
    private static final int ROUNDS = Integer.getInteger("repzoo.bench.rounds", 5);

    private record Shape(int in, int out, int size) {
    }

    /** block1's second, block2's, block3's, the middle flow's and conv3's separable convolutions. */
    private static final List<Shape> SHAPES = List.of(new Shape(128, 128, 147), new Shape(256, 256, 74),
            new Shape(728, 728, 37), new Shape(728, 728, 19), new Shape(1024, 1536, 10));

    @Test
    @EnabledIfSystemProperty(named = "repzoo.bench", matches = "true")
    void compareFormulations() {
        OneDnn.enable();
        System.out.printf(Locale.ROOT, "threads %s, batch %d%n", System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), BATCH);
        for (Shape shape : SHAPES) {
            run(shape);
        }
    }

    private static void run(Shape shape) {
        Map<String, ComputationGraph> candidates = new LinkedHashMap<>();
        candidates.put("grouped depthwise", groupedThenPointwise(shape, false));
        candidates.put("grouped block-diagonal", groupedThenPointwise(shape, true));
        candidates.put("dl4j depthwise", net(shape, b -> b
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).padding(1, 1).depthMultiplier(1).nOut(shape.in())
                        .hasBias(false).activation(Activation.IDENTITY).build(), "in")
                .addLayer("conv", pointwise(shape), "dw")));
        candidates.put("dl4j separable", net(shape, b -> b.addLayer("conv", new SeparableConvolution2D.Builder(3, 3)
                .padding(1, 1).depthMultiplier(1).nOut(shape.out()).hasBias(false).activation(Activation.IDENTITY).build(), "in")));

        INDArray input = Nd4j.rand(DataType.FLOAT, BATCH, shape.in(), shape.size(), shape.size()).subi(0.5);
        INDArray labels = Nd4j.rand(DataType.FLOAT, BATCH, shape.out(), shape.size(), shape.size());
        Map<String, double[]> forward = new LinkedHashMap<>();
        Map<String, double[]> train = new LinkedHashMap<>();
        candidates.keySet().forEach(k -> {
            forward.put(k, new double[ROUNDS]);
            train.put(k, new double[ROUNDS]);
        });
        for (int round = -WARMUP; round < ROUNDS; round++) {
            for (Map.Entry<String, ComputationGraph> e : candidates.entrySet()) {
                long t0 = System.nanoTime();
                e.getValue().output(false, input);
                long t1 = System.nanoTime();
                e.getValue().fit(new INDArray[] {input}, new INDArray[] {labels});
                long t2 = System.nanoTime();
                if (round >= 0) {
                    forward.get(e.getKey())[round] = (t1 - t0) / 1e9;
                    train.get(e.getKey())[round] = (t2 - t1) / 1e9;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%nseparable %d->%d, input %dx%dx%dx%d%n", shape.in(), shape.out(), BATCH, shape.in(),
                shape.size(), shape.size());
        System.out.printf(Locale.ROOT, "  %-24s %10s %12s%n", "candidate", "forward s", "train step s");
        for (String k : candidates.keySet()) {
            System.out.printf(Locale.ROOT, "  %-24s %10.4f %12.4f%n", k, median(forward.get(k)), median(train.get(k)));
        }
    }

    private static ComputationGraph groupedThenPointwise(Shape shape, boolean blockDiagonal) {
        ComputationGraph net = net(shape, b -> b
                .addLayer("dw", new GroupedConvolution.Builder(3, 3).groups(shape.in()).padding(1, 1).nOut(shape.in())
                        .hasBias(false).activation(Activation.IDENTITY).build(), "in")
                .addLayer("conv", pointwise(shape), "dw"));
        if (blockDiagonal) {
            int perCall = 1;
            while (perCall < 16 || shape.in() % perCall != 0) {
                perCall++;
            }
            ((GroupedConvolutionLayer) net.getLayer("dw")).groupsPerCall(perCall);
        }
        return net;
    }

    private static ConvolutionLayer pointwise(Shape shape) {
        return new ConvolutionLayer.Builder(1, 1).nOut(shape.out()).hasBias(false).activation(Activation.IDENTITY).build();
    }

    private static ComputationGraph net(Shape shape, Consumer<ComputationGraphConfiguration.GraphBuilder> body) {
        ComputationGraphConfiguration.GraphBuilder builder = new NeuralNetConfiguration.Builder()
                .seed(1)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(1e-4))
                .weightInit(WeightInit.RELU)
                .convolutionMode(ConvolutionMode.Truncate)
                .graphBuilder()
                .addInputs("in")
                .setInputTypes(InputType.convolutional(shape.size(), shape.size(), shape.in()));
        body.accept(builder);
        builder.addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.IDENTITY)
                .build(), "conv");
        ComputationGraph net = new ComputationGraph(builder.setOutputs("loss").build());
        net.init();
        return net;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
