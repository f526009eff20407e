package org.repzoo.bench.rounds;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.SeparableConvolution2D;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;
import org.repzoo.zoo.core.GroupedConvolution;

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
 * Every candidate runs once per round, rounds interleaved, median printed. No arguments; {@code -Drepzoo.bench.batch=N}
 * (default 8) and {@code -Drepzoo.bench.rounds=N} (default 5) adjust it:
 * {@code OMP_NUM_THREADS=1 BENCH_JAVA_OPTS="-Drepzoo.bench.batch=2 -Drepzoo.bench.rounds=3"
 * tools/bench/rounds.sh SeparableConvolutionRounds}. Figures are in
 * {@code docs/notes/2026-11-25-separable-convolution.md}.
 */
public final class SeparableConvolutionRounds {

    private static final int BATCH = Integer.getInteger("repzoo.bench.batch", 8);
    private static final int WARMUP = 1;
    private static final int ROUNDS = Integer.getInteger("repzoo.bench.rounds", 5);

    private record Shape(int in, int out, int size) {
    }

    /** block1's second, block2's, block3's, the middle flow's and conv3's separable convolutions. */
    private static final List<Shape> SHAPES = List.of(new Shape(128, 128, 147), new Shape(256, 256, 74),
            new Shape(728, 728, 37), new Shape(728, 728, 19), new Shape(1024, 1536, 10));

    private SeparableConvolutionRounds() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            System.err.println("usage: SeparableConvolutionRounds (no arguments; -Drepzoo.bench.batch=N, "
                    + "-Drepzoo.bench.rounds=N)");
            System.exit(2);
        }
        OneDnn.enable();
        System.out.printf(Locale.ROOT, "threads %s, batch %d%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), BATCH);
        for (Shape shape : SHAPES) {
            run(shape);
        }
    }

    private static void run(Shape shape) {
        Map<String, ComputationGraph> candidates = new LinkedHashMap<>();
        candidates.put("grouped depthwise", groupedThenPointwise(shape, false));
        candidates.put("grouped block-diagonal", groupedThenPointwise(shape, true));
        candidates.put("dl4j depthwise", net(shape, builder -> builder
                .addLayer("dw", new DepthwiseConvolution2D.Builder(3, 3).padding(1, 1).depthMultiplier(1)
                        .nOut(shape.in()).hasBias(false).activation(Activation.IDENTITY).build(), "in")
                .addLayer("conv", pointwise(shape), "dw")));
        candidates.put("dl4j separable", net(shape, builder -> builder.addLayer("conv",
                new SeparableConvolution2D.Builder(3, 3).padding(1, 1).depthMultiplier(1).nOut(shape.out())
                        .hasBias(false).activation(Activation.IDENTITY).build(), "in")));

        INDArray input = Nd4j.rand(DataType.FLOAT, BATCH, shape.in(), shape.size(), shape.size()).subi(0.5);
        INDArray labels = Nd4j.rand(DataType.FLOAT, BATCH, shape.out(), shape.size(), shape.size());
        Map<String, Rounds.Times> times = Rounds.forwardAndTrain(candidates, input, labels, WARMUP, ROUNDS);
        System.out.printf(Locale.ROOT, "%nseparable %d->%d, input %dx%dx%dx%d%n", shape.in(), shape.out(), BATCH,
                shape.in(), shape.size(), shape.size());
        Rounds.print(times, 24);
    }

    private static ComputationGraph groupedThenPointwise(Shape shape, boolean blockDiagonal) {
        ComputationGraph net = net(shape, builder -> builder
                .addLayer("dw", new GroupedConvolution.Builder(3, 3).groups(shape.in()).padding(1, 1).nOut(shape.in())
                        .hasBias(false).activation(Activation.IDENTITY).build(), "in")
                .addLayer("conv", pointwise(shape), "dw"));
        if (blockDiagonal) {
            int perCall = 1;
            while (perCall < 16 || shape.in() % perCall != 0) {
                perCall++;
            }
            GroupedConvolution.forceGroupsPerCall(net.getLayer("dw"), perCall);
        }
        return net;
    }

    private static ConvolutionLayer pointwise(Shape shape) {
        return new ConvolutionLayer.Builder(1, 1).nOut(shape.out()).hasBias(false).activation(Activation.IDENTITY)
                .build();
    }

    private static ComputationGraph net(Shape shape, Consumer<ComputationGraphConfiguration.GraphBuilder> body) {
        return Rounds.probeGraph(shape.size(), shape.in(), body);
    }

}
