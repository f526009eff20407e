package org.repzoo.zoo.xception;

import java.util.List;
import java.util.Objects;

/**
 * Xception's blocks as timm's {@code Block(in_channels, out_channels, reps, strides, start_with_relu, grow_first)}
 * rows, and the exit flow's two separable convolutions.
 *
 * @param blocks    {@code block1} ... {@code blockN}, in order
 * @param exitConvs output channels of {@code conv3}, {@code conv4}, ... (separable convolution, BN, ReLU each)
 */
public record XceptionConfig(List<Block> blocks, List<Integer> exitConvs) {

    /**
     * What a block's first repetition begins with. WITH_RELU ({@code start_with_relu=True}): a ReLU on the block
     * input, like every later repetition. WITH_CONV: the separable convolution directly, for {@code block1}, whose
     * input is the stem's ReLU output already (timm's {@code rep[1:]}, which shifts the numbering by one).
     */
    public enum Start { WITH_RELU, WITH_CONV }

    /**
     * Which separable convolution of a block changes the channels from {@code in} to {@code out}. GROW_FIRST
     * ({@code grow_first=True}): the first, and the others keep {@code out}. GROW_LAST: the others keep {@code in}
     * and the last widens, as in the exit flow's {@code block12} (728, 728, then 1024).
     */
    public enum Growth { GROW_FIRST, GROW_LAST }

    /**
     * One residual block: {@code reps} times ReLU, 3x3 separable convolution, BatchNorm ({@code rep.0}, {@code rep.1},
     * ... in timm's numbering), without the first ReLU when it starts {@link Start#WITH_CONV}; a 3x3 max pool (stride
     * {@code stride}, padding 1) at the end when strided; a 1x1 convolution + BN shortcut ({@code skip},
     * {@code skipbn}) where the channels or the stride change, else the identity.
     *
     * @param start  timm's {@code start_with_relu}
     * @param growth timm's {@code grow_first}
     */
    public record Block(int in, int out, int reps, int stride, Start start, Growth growth) {

        public Block {
            if (in < 1 || out < 1 || reps < 1 || stride < 1) {
                throw new IllegalArgumentException("invalid Xception block " + in + "->" + out + " x" + reps
                        + " /" + stride);
            }
            Objects.requireNonNull(start, "start");
            Objects.requireNonNull(growth, "growth");
        }

        /** Output channels of separable convolution {@code i} (0-based). */
        int sepOut(int i) {
            return growth == Growth.GROW_FIRST ? out : (i < reps - 1 ? in : out);
        }
    }

    public XceptionConfig {
        blocks = List.copyOf(blocks);
        exitConvs = List.copyOf(exitConvs);
    }

    /** timm's default block: starts with a ReLU, widens in its first separable convolution. */
    private static Block block(int in, int out, int reps, int stride) {
        return new Block(in, out, reps, stride, Start.WITH_RELU, Growth.GROW_FIRST);
    }

    /**
     * Figure 5: entry flow (block1-3, 299 to 19x19x728; block1 starts without ReLU since the stem's ReLU precedes
     * it), middle flow (block4-11, eight times 19x19x728), exit flow (block12: 728 then 1024 channels, 10x10; then
     * separable convolutions to 1536 and 2048).
     */
    public static final XceptionConfig XCEPTION = new XceptionConfig(List.of(
            new Block(64, 128, 2, 2, Start.WITH_CONV, Growth.GROW_FIRST),
            block(128, 256, 2, 2),
            block(256, 728, 2, 2),
            block(728, 728, 3, 1), block(728, 728, 3, 1), block(728, 728, 3, 1), block(728, 728, 3, 1),
            block(728, 728, 3, 1), block(728, 728, 3, 1), block(728, 728, 3, 1), block(728, 728, 3, 1),
            new Block(728, 1024, 2, 2, Start.WITH_RELU, Growth.GROW_LAST)),
            List.of(1536, 2048));
}
