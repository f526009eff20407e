package org.repzoo.bench.rounds;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.SubsetVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.OneDnn;
import org.repzoo.zoo.core.GroupedConvolution;

/**
 * Speed of the grouped-convolution formulations, with oneDNN on (the onednn native build and DL4J's helpers, so the
 * per-group and dense {@code ConvolutionLayer}s run on oneDNN too). Batch 16, 3x3, stride 1, padding 1, float,
 * channels in = out. For each shape every candidate runs once per round, rounds interleaved, and the median of the
 * rounds is printed, so other load on the machine hits all candidates alike. Candidates:
 * <ul>
 *   <li>{@code grouped plan}: {@link GroupedConvolution} with its default plan;</li>
 *   <li>{@code grouped N/call}: the same layer forced to N groups per libnd4j call (1: one call per group; all: one
 *       block-diagonal call);</li>
 *   <li>{@code subset+conv+merge}: per-group {@code ConvolutionLayer}s fed by channel-subset vertices, then a
 *       merge;</li>
 *   <li>{@code dense}: one {@code ConvolutionLayer} over all channels, as for a block-diagonal weight;</li>
 *   <li>{@code no convolution}: the input straight into the loss, the overhead every candidate's figures include.</li>
 * </ul>
 * Forward is {@code output(false, x)}; a train step is {@code fit} (forward, backward, SGD update) through a CNN loss
 * layer. No arguments; {@code -Drepzoo.bench.rounds=N} (default 9) and {@code -Drepzoo.bench.shapes=64x56g32,128x28g4}
 * (a subset of the shapes) adjust it: {@code tools/bench/rounds.sh GroupedConvolutionRounds}. Figures are in
 * {@code docs/notes/2026-11-25-grouped-convolution.md}; {@code tools/bench/grouped_conv_torch.py} times PyTorch on
 * the same shapes.
 */
public final class GroupedConvolutionRounds {

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

    private GroupedConvolutionRounds() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            System.err.println("usage: GroupedConvolutionRounds (no arguments; -Drepzoo.bench.rounds=N, "
                    + "-Drepzoo.bench.shapes=64x56g32,128x28g4)");
            System.exit(2);
        }
        OneDnn.enable();
        String only = System.getProperty("repzoo.bench.shapes"); // e.g. "64x56g32,128x28g4"
        System.out.printf(Locale.ROOT, "threads %s, load average %.2f%n",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), Rounds.load());
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
        int channels = shape.channels();
        int groups = shape.groups();
        candidates.put("grouped plan (" + GroupedConvolution.plannedGroupsPerCall(channels, channels, groups)
                + "/call)", grouped(shape, 0));
        List<Integer> perCall = new ArrayList<>();
        for (int n = 1; n <= groups; n *= 2) {
            if (groups % n == 0 && (shape.sweep() || n == 1 || n == groups)) {
                perCall.add(n);
            }
        }
        for (int n : perCall) {
            candidates.put("grouped " + (n == groups ? "all" : n) + "/call", grouped(shape, n));
        }
        candidates.put("subset+conv+merge", subsetConvMerge(shape));
        candidates.put("dense", dense(shape));
        candidates.put("no convolution (overhead)", net(shape, builder -> builder.addLayer("conv",
                new ActivationLayer.Builder().activation(Activation.IDENTITY).build(), "in")));

        INDArray input = Nd4j.rand(DataType.FLOAT, BATCH, channels, shape.size(), shape.size()).subi(0.5);
        INDArray labels = Nd4j.rand(DataType.FLOAT, BATCH, channels, shape.size(), shape.size());
        double loadBefore = Rounds.load();
        Map<String, Rounds.Times> times = Rounds.forwardAndTrain(candidates, input, labels, WARMUP, ROUNDS);
        System.out.printf(Locale.ROOT, "%n%d->%d 3x3, input %dx%dx%dx%d, groups %d (load %.2f -> %.2f)%n", channels,
                channels, BATCH, channels, shape.size(), shape.size(), groups, loadBefore, Rounds.load());
        Rounds.print(times, 26);
    }

    /** groupsPerCall 0 keeps the layer's own plan. */
    private static ComputationGraph grouped(Shape shape, int groupsPerCall) {
        ComputationGraph net = net(shape, builder -> builder.addLayer("conv", new GroupedConvolution.Builder(3, 3)
                .groups(shape.groups()).padding(1, 1).nOut(shape.channels()).hasBias(false)
                .activation(Activation.IDENTITY).build(), "in"));
        if (groupsPerCall > 0) {
            GroupedConvolution.forceGroupsPerCall(net.getLayer("conv"), groupsPerCall);
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
        return Rounds.probeGraph(shape.size(), shape.channels(), body);
    }


    /** M2.1's SubsetVertex gives a CNN output {@code from - to + 1} channels; this one gives {@code to - from + 1}. */
    private static final class ChannelSubset extends SubsetVertex {

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
