package org.repzoo.zoo.core;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
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
 * Speed of the grouped-convolution formulations, with oneDNN on (the onednn native build and DL4J's helpers, so the
 * per-group and dense {@code ConvolutionLayer}s run on oneDNN too). Batch 16, 3x3, stride 1, padding 1, float,
 * channels in = out. For each shape every candidate runs once per round, rounds interleaved, and the median of the
 * rounds is printed, so other load on the machine hits all candidates alike. Candidates:
 * <ul>
 *   <li>{@code grouped plan}: {@link GroupedConvolution} with its default plan;</li>
 *   <li>{@code grouped N/call}: the same layer forced to N groups per libnd4j call (1: one call per group; all: one
 *       block-diagonal call);</li>
 *   <li>{@code subset+conv+merge}: per-group {@code ConvolutionLayer}s fed by channel-subset vertices, then a merge;</li>
 *   <li>{@code dense}: one {@code ConvolutionLayer} over all channels, as for a block-diagonal weight;</li>
 *   <li>{@code no convolution}: the input straight into the loss, the overhead every candidate's figures include.</li>
 * </ul>
 * Forward is {@code output(false, x)}; a train step is {@code fit} (forward, backward, SGD update) through a CNN loss
 * layer. Not part of the normal suite: {@code mvn -o -q -B -pl zoo test -Dtest=GroupedConvolutionBenchmark
 * -Drepzoo.bench=true -Dsurefire.failIfNoSpecifiedTests=false}. Figures are in {@code docs/GROUPED_CONVOLUTION.md}.
 */
class GroupedConvolutionBenchmark {

    private static final int BATCH = 16;
    private static final int WARMUP = 2;
    private static final int ROUNDS = Integer.getInteger("repzoo.bench.rounds", 9);

    /** channels, height (= width), groups, and whether to sweep every groups-per-call. */
    private record Shape(int channels, int size, int groups, boolean sweep) {
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape(64, 56, 2, false), new Shape(64, 56, 4, false), new Shape(64, 56, 32, true),
            new Shape(128, 28, 2, false), new Shape(128, 28, 4, false), new Shape(128, 28, 32, true),
            new Shape(128, 56, 32, true), new Shape(256, 28, 32, true), new Shape(512, 14, 32, true),
            new Shape(1024, 7, 32, true));

    @Test
    @EnabledIfSystemProperty(named = "repzoo.bench", matches = "true")
    void compareFormulations() {
        OneDnn.enable();
        String only = System.getProperty("repzoo.bench.shapes"); // e.g. "64x56g32,128x28g4"
        System.out.printf(Locale.ROOT, "threads %s, load average %.2f%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), load());
        for (Shape shape : SHAPES) {
            String label = shape.channels() + "x" + shape.size() + "g" + shape.groups();
            if (only != null && !Arrays.asList(only.split(",")).contains(label)) {
                continue;
            }
            run(shape);
        }
    }

    private static void run(Shape shape) {
        Map<String, ComputationGraph> candidates = new LinkedHashMap<>();
        int c = shape.channels();
        int g = shape.groups();
        candidates.put("grouped plan (" + GroupedConvolutionLayer.plan(c, c, g).groupsPerCall() + "/call)", grouped(shape, 0));
        List<Integer> perCall = new ArrayList<>();
        for (int n = 1; n <= g; n *= 2) {
            if (g % n == 0 && (shape.sweep() || n == 1 || n == g)) {
                perCall.add(n);
            }
        }
        for (int n : perCall) {
            candidates.put("grouped " + (n == g ? "all" : n) + "/call", grouped(shape, n));
        }
        candidates.put("subset+conv+merge", subsetConvMerge(shape));
        candidates.put("dense", dense(shape));
        candidates.put("no convolution (overhead)", net(shape, builder -> builder.addLayer("conv",
                new ActivationLayer.Builder().activation(Activation.IDENTITY).build(), "in")));

        INDArray input = Nd4j.rand(DataType.FLOAT, BATCH, c, shape.size(), shape.size()).subi(0.5);
        INDArray labels = Nd4j.rand(DataType.FLOAT, BATCH, c, shape.size(), shape.size());
        Map<String, double[]> forward = new LinkedHashMap<>();
        Map<String, double[]> train = new LinkedHashMap<>();
        candidates.keySet().forEach(k -> {
            forward.put(k, new double[ROUNDS]);
            train.put(k, new double[ROUNDS]);
        });
        double loadBefore = load();
        for (int round = -WARMUP; round < ROUNDS; round++) {
            for (Map.Entry<String, ComputationGraph> e : candidates.entrySet()) {
                ComputationGraph net = e.getValue();
                long t0 = System.nanoTime();
                net.output(false, input);
                long t1 = System.nanoTime();
                net.fit(new INDArray[] {input}, new INDArray[] {labels});
                long t2 = System.nanoTime();
                if (round >= 0) {
                    forward.get(e.getKey())[round] = (t1 - t0) / 1e9;
                    train.get(e.getKey())[round] = (t2 - t1) / 1e9;
                }
            }
        }
        System.out.printf(Locale.ROOT, "%n%d->%d 3x3, input %dx%dx%dx%d, groups %d (load %.2f -> %.2f)%n", c, c, BATCH, c,
                shape.size(), shape.size(), g, loadBefore, load());
        System.out.printf(Locale.ROOT, "  %-26s %10s %12s%n", "candidate", "forward s", "train step s");
        for (String k : candidates.keySet()) {
            System.out.printf(Locale.ROOT, "  %-26s %10.4f %12.4f%n", k, median(forward.get(k)), median(train.get(k)));
        }
    }

    /** groupsPerCall 0 keeps the layer's own plan. */
    private static ComputationGraph grouped(Shape shape, int groupsPerCall) {
        ComputationGraph net = net(shape, builder -> builder.addLayer("conv", new GroupedConvolution.Builder(3, 3)
                .groups(shape.groups()).padding(1, 1).nOut(shape.channels()).hasBias(false)
                .activation(Activation.IDENTITY).build(), "in"));
        if (groupsPerCall > 0) {
            ((GroupedConvolutionLayer) net.getLayer("conv")).groupsPerCall(groupsPerCall);
        }
        return net;
    }

    private static ComputationGraph subsetConvMerge(Shape shape) {
        int width = shape.channels() / shape.groups();
        return net(shape, builder -> {
            String[] parts = new String[shape.groups()];
            for (int i = 0; i < shape.groups(); i++) {
                builder.addVertex("subset" + i, new ChannelSubset(i * width, (i + 1) * width - 1), "in");
                builder.addLayer("conv" + i, convolution(width), "subset" + i);
                parts[i] = "conv" + i;
            }
            builder.addVertex("conv", new MergeVertex(), parts);
        });
    }

    private static ComputationGraph dense(Shape shape) {
        return net(shape, builder -> builder.addLayer("conv", convolution(shape.channels()), "in"));
    }

    private static ConvolutionLayer convolution(int channels) {
        return new ConvolutionLayer.Builder(3, 3).padding(1, 1).nOut(channels).hasBias(false)
                .activation(Activation.IDENTITY).build();
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
                .setInputTypes(InputType.convolutional(shape.size(), shape.size(), shape.channels()));
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

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** M2.1's SubsetVertex gives a CNN output {@code from - to + 1} channels; this one gives {@code to - from + 1}. */
    static final class ChannelSubset extends SubsetVertex {

        ChannelSubset(int from, int to) {
            super(from, to);
        }

        @Override
        public ChannelSubset clone() {
            return new ChannelSubset(getFrom(), getTo());
        }

        @Override
        public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
            if (vertexInputs[0] instanceof InputType.InputTypeConvolutional conv) {
                return InputType.convolutional(conv.getHeight(), conv.getWidth(), getTo() - getFrom() + 1);
            }
            return super.getOutputType(layerIndex, vertexInputs);
        }
    }
}
