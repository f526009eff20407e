package org.repzoo.zoo.resnet;

import java.util.List;

/**
 * A torchvision/timm ResNet: block type, blocks per stage, the bottleneck's {@code groups} and {@code width_per_group}
 * (64 for ResNet, 128 for Wide ResNet; ResNeXt's cardinality and base width, e.g. 32 and 4 for 32x4d), and the
 * attention module at the end of every residual branch (timm's {@code attn_layer}).
 */
public record ResNetConfig(Block block, List<Integer> depths, int groups, int widthPerGroup, Attention attention) {

    public enum Block {
        BASIC(1), BOTTLENECK(4);

        final int expansion;

        Block(int expansion) {
            this.expansion = expansion;
        }
    }

    /** What follows the last BatchNorm of every residual branch, before the shortcut is added. */
    public enum Attention {
        NONE,
        /** timm's {@code attn_layer='se'}: {@code SEModule} named {@code se}. */
        SQUEEZE_EXCITATION
    }

    public static final ResNetConfig RESNET18 = new ResNetConfig(Block.BASIC, List.of(2, 2, 2, 2), 1, 64);
    public static final ResNetConfig RESNET34 = new ResNetConfig(Block.BASIC, List.of(3, 4, 6, 3), 1, 64);
    public static final ResNetConfig RESNET50 = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 6, 3), 1, 64);
    public static final ResNetConfig RESNET101 = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 23, 3), 1, 64);
    public static final ResNetConfig RESNET152 = new ResNetConfig(Block.BOTTLENECK, List.of(3, 8, 36, 3), 1, 64);
    public static final ResNetConfig WIDE_RESNET50_2 = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 6, 3), 1, 128);
    public static final ResNetConfig WIDE_RESNET101_2 = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 23, 3), 1, 128);
    public static final ResNetConfig RESNEXT50_32X4D = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 6, 3), 32, 4);
    public static final ResNetConfig RESNEXT101_32X4D = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 23, 3), 32, 4);
    public static final ResNetConfig RESNEXT101_32X8D = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 23, 3), 32, 8);
    public static final ResNetConfig RESNEXT101_64X4D = new ResNetConfig(Block.BOTTLENECK, List.of(3, 4, 23, 3), 64, 4);

    public ResNetConfig {
        depths = List.copyOf(depths);
        if (depths.size() != 4 || groups < 1 || widthPerGroup < 1 || attention == null) {
            throw new IllegalArgumentException("invalid ResNet config " + depths + " groups " + groups);
        }
        if (block == Block.BASIC && (groups != 1 || widthPerGroup != 64)) {
            throw new IllegalArgumentException("BasicBlock only supports groups=1 and width_per_group=64");
        }
    }

    /** Without attention, as torchvision's ResNets. */
    public ResNetConfig(Block block, List<Integer> depths, int groups, int widthPerGroup) {
        this(block, depths, groups, widthPerGroup, Attention.NONE);
    }

    /** The same net with timm's squeeze-and-excitation in every block (seresnet50 is RESNET50's). */
    public ResNetConfig withSqueezeExcitation() {
        return new ResNetConfig(block, depths, groups, widthPerGroup, Attention.SQUEEZE_EXCITATION);
    }
}
