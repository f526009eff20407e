package org.repzoo.zoo.core;

/**
 * A squeeze-and-excitation block (Hu et al., "Squeeze-and-Excitation Networks", CVPR 2018) as
 * {@link GraphScope#squeezeExcitation} builds it: global average pool, a 1x1 convolution with bias to
 * {@code reducedChannels} with ReLU, a 1x1 convolution with bias back to the input's channels with sigmoid, and the
 * input scaled channel-wise by the result ({@link ChannelScale}).
 *
 * <p>The two convolutions are named after the reference's modules so their weights map 1:1 to its state_dict keys,
 * shape [out, in, 1, 1]: {@code fc1}/{@code fc2} in timm's {@code SEModule} (the default here), {@code down}/{@code up}
 * in the official RepVGG's {@code SEBlock}. How many reduced channels a reference uses is its builder's business
 * (timm rounds {@code channels / 16} to a multiple of 8, RepVGG floors it).
 *
 * @param reducedChannels output channels of the first convolution
 * @param reduce          name of the first convolution
 * @param expand          name of the second convolution
 */
public record SqueezeExcitation(int reducedChannels, String reduce, String expand) {

    public SqueezeExcitation {
        if (reducedChannels < 1) {
            throw new IllegalArgumentException("squeeze-excitation needs at least one reduced channel, got " + reducedChannels);
        }
        if (reduce.isEmpty() || expand.isEmpty() || reduce.equals(expand)) {
            throw new IllegalArgumentException("squeeze-excitation needs two distinct names, got '" + reduce + "', '"
                    + expand + "'");
        }
    }

    /** timm's names: {@code fc1} and {@code fc2}. */
    public static SqueezeExcitation of(int reducedChannels) {
        return new SqueezeExcitation(reducedChannels, "fc1", "fc2");
    }

    /** The same block with other names for its two convolutions. */
    public SqueezeExcitation names(String reduceName, String expandName) {
        return new SqueezeExcitation(reducedChannels, reduceName, expandName);
    }
}
