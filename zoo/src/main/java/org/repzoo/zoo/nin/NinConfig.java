package org.repzoo.zoo.nin;

import java.util.List;

/**
 * Network-in-Network for ImageNet as mlpconv blocks: each block is one spatial convolution followed by two 1x1
 * convolutions ("cccp" layers in the Caffe model), all with ReLU.
 *
 * @param blocks the four mlpconv blocks
 */
public record NinConfig(List<MlpConv> blocks) {

    /** One mlpconv block: names and widths follow the Caffe model zoo's NIN-ImageNet prototxt. */
    public record MlpConv(String conv, int channels, int kernel, int stride, int padding,
                          String cccpA, String cccpB, int cccpChannels) {
    }

    /** Lin, Chen &amp; Yan, "Network In Network" (ICLR 2014); the NIN-ImageNet model of the Caffe model zoo. */
    public static final NinConfig IMAGENET = new NinConfig(List.of(
            new MlpConv("conv1", 96, 11, 4, 0, "cccp1", "cccp2", 96),
            new MlpConv("conv2", 256, 5, 1, 2, "cccp3", "cccp4", 256),
            new MlpConv("conv3", 384, 3, 1, 1, "cccp5", "cccp6", 384),
            new MlpConv("conv4-1024", 1024, 3, 1, 1, "cccp7-1024", "cccp8-1024", 1024)));

    public NinConfig {
        blocks = List.copyOf(blocks);
    }
}
