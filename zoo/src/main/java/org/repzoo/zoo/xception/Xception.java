package org.repzoo.zoo.xception;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.Pool;

/**
 * Xception (Chollet, "Xception: Deep Learning with Depthwise Separable Convolutions", CVPR 2017, Figure 5) as timm's
 * {@code legacy_xception} builds it ({@code timm/models/xception.py}, Cadene's port of the Keras model and weights):
 * stem {@code conv1} (3x3/2, no padding), {@code bn1}, {@code act1}, {@code conv2} (3x3, no padding), {@code bn2},
 * {@code act2}; blocks {@code block1} ... {@code block12} ({@link XceptionConfig.Block}: {@code blockN.rep.I} in
 * timm's Sequential numbering, shortcut {@code blockN.skip}/{@code skipbn}, sum {@code blockN.add}); exit
 * {@code conv3}/{@code bn3}/{@code act3}, {@code conv4}/{@code bn4}/{@code act4}; global average pooling
 * {@code global_pool}; classifier {@code fc}. BatchNorm eps 1e-5 (PyTorch's default, as timm). 22,855,952 parameters at
 * 1000 classes.
 *
 * <p>A separable convolution (timm's {@code SeparableConv2d}) is two vertices: {@code NAME.conv1}, the depthwise 3x3
 * (groups = channels, weight [C, 1, 3, 3]) and {@code NAME.pointwise}, the 1x1. The depthwise one is RepZoo's
 * {@code GroupedConvolution} ({@code Conv.groups(channels)}), whose weight has PyTorch's shape and which runs a
 * depthwise layer as one libnd4j {@code depthwise_conv2d} call on oneDNN. Measured with oneDNN on at Xception's
 * shapes, it is as fast as DL4J's {@code DepthwiseConvolution2D} (within the run-to-run spread) whose weight
 * [kH, kW, C, 1] is a permutation of PyTorch's that the key mapping would have to transpose, and 4 to 23 times faster
 * than DL4J's {@code SeparableConvolution2D} (libnd4j's {@code sconv2d}, which would also hold both of timm's modules,
 * two state_dict keys, in one vertex): figures in {@code docs/notes/2026-11-25-separable-convolution.md}.
 *
 * <p>Wiring, which DL4J's own zoo Xception gets wrong in several places: inside a block, the ReLU before the first
 * separable convolution reads the block input, and the shortcut reads the block input too (the value before that
 * ReLU; timm makes {@code rep[0]} non-inplace for this); the strided blocks end in a max pool with padding 1 whose
 * input is a BatchNorm output; the sum is not followed by a ReLU (the next block starts with one). Deviation: timm's
 * dropout before the classifier (0 by default) is not added.
 */
public record Xception(XceptionConfig config) implements Architecture {

    private static final double BN_EPS = 1e-5;

    @Override
    public ComputationGraphConfiguration configure(String name, ModelOptions options) {
        GraphScope root = GraphScope.start(name, options.input(), options.seed());
        String x = root.conv("conv1", GraphScope.INPUT, Conv.of(32, 3).stride(2).noBias());
        x = root.relu("act1", root.batchNorm("bn1", x, BN_EPS));
        x = root.conv("conv2", x, Conv.of(64, 3).noBias());
        x = root.relu("act2", root.batchNorm("bn2", x, BN_EPS));
        for (int b = 0; b < config.blocks().size(); b++) {
            x = block(root.child("block" + (b + 1)), x, config.blocks().get(b));
        }
        int index = 3;
        for (int channels : config.exitConvs()) {
            x = separable(root.child("conv" + index), x, channels);
            x = root.relu("act" + index, root.batchNorm("bn" + index, x, BN_EPS));
            index++;
        }
        x = root.globalAvgPool("global_pool", x);
        int features = config.exitConvs().get(config.exitConvs().size() - 1);
        return root.build(root.logits("fc", x, options.numClasses(), Inits.linearDefault(features)));
    }

    /**
     * timm's {@code Block}: {@code rep} is [ReLU, SeparableConv2d, BN] per repetition in one Sequential (the first ReLU
     * dropped when the block does not start with one, which shifts the numbering), then the max pool when strided.
     */
    private static String block(GraphScope scope, String input, XceptionConfig.Block block) {
        GraphScope rep = scope.child("rep");
        boolean startsWithRelu = block.start() == XceptionConfig.Start.WITH_RELU;
        int shift = startsWithRelu ? 0 : 1; // timm's rep = rep[1:] without the first ReLU
        String x = input;
        for (int i = 0; i < block.reps(); i++) {
            int first = 3 * i - shift;
            if (i > 0 || startsWithRelu) {
                x = rep.relu(Integer.toString(first), x);
            }
            x = separable(rep.child(first + 1), x, block.sepOut(i));
            x = rep.batchNorm(Integer.toString(first + 2), x, BN_EPS);
        }
        if (block.stride() != 1) {
            x = rep.pool(Integer.toString(3 * block.reps() - shift), x, Pool.max(3, block.stride()).padding(1));
        }
        String shortcut = input;
        if (block.out() != block.in() || block.stride() != 1) {
            shortcut = scope.conv("skip", input, Conv.of(block.out(), 1).stride(block.stride()).noBias());
            shortcut = scope.batchNorm("skipbn", shortcut, BN_EPS);
        }
        return scope.add("add", x, shortcut);
    }

    /** timm's {@code SeparableConv2d}: depthwise 3x3 ({@code conv1}, padding 1), then pointwise 1x1, no biases. */
    private static String separable(GraphScope scope, String input, int outChannels) {
        int channels = scope.channels(input);
        String x = scope.conv("conv1", input, Conv.of(channels, 3).padding(1).groups(channels).noBias());
        return scope.conv("pointwise", x, Conv.of(outChannels, 1).noBias());
    }
}
