package org.repzoo.zoo.resnet;

import java.util.List;

/**
 * A torchvision ResNet: block type, blocks per stage, and the bottleneck's {@code groups} and
 * {@code width_per_group} (64 for ResNet, 128 for Wide ResNet; ResNeXt sets groups &gt; 1).
 */
public record ResNetConfig(Block block, List<Integer> depths, int groups, int widthPerGroup) {

    public enum Block {
        BASIC(1), BOTTLENECK(4);

        final int expansion;

        Block(int expansion) {
            this.expansion = expansion;
        }
    }

    public static final ResNetConfig RESNET18 = new ResNetConfig(Block.BASIC, List.of(2, 2, 2, 2), 1, 64);
    public static final ResNetConfig RESNET34 = new ResNetConfig(Block.BASIC, List.of(3, 4, 6, 3), 1, 64);
    public static final ResNetConfig RESNET50 = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 6, 3), 1, 64);
    public static final ResNetConfig RESNET101 = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 23, 3), 1, 64);
    public static final ResNetConfig RESNET152 = new ResNetConfig(Block.BOTTLENECK, List.of(3, 8, 36, 3), 1, 64);
    public static final ResNetConfig WIDE_RESNET50_2 = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 6, 3), 1, 128);
    public static final ResNetConfig WIDE_RESNET101_2 = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 23, 3), 1, 128);

    public ResNetConfig {
        depths = List.copyOf(depths);
        if (depths.size() != 4 || groups < 1 || widthPerGroup < 1) {
            throw new IllegalArgumentException("invalid ResNet config " + depths + " groups " + groups);
        }
        if (block == Block.BASIC && (groups != 1 || widthPerGroup != 64)) {
            throw new IllegalArgumentException("BasicBlock only supports groups=1 and width_per_group=64");
        }
    }
}
