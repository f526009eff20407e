package org.repzoo.zoo.resnet;

import java.util.List;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Reference;

/**
 * The registered ResNets: torchvision's ResNet 18-152, Wide ResNets and ResNeXts, and timm's SE-ResNets and
 * SE-ResNeXts. All are {@link Family#RESNET}: a family is one configuration record and one builder, and ResNeXt and the
 * SE variants are {@link ResNetConfig} rows of the same {@link ResNet} builder (as they are of torchvision's and timm's
 * one {@code resnet.py}).
 */
public final class ResNetModels {

    private static final InputShape INPUT = InputShape.of(3, 224, 224);
    /** resnext101_64x4d's only torchvision weights (IMAGENET1K_V1) came with the new recipe: resize 232, crop 224. */
    private static final EvalPreset TORCHVISION_RESIZE_232 = EvalPreset.torchvision(232, 224);
    private static final String TIMM = "timm resnet.py (attn_layer='se'), recomputed by tools/reference/se_resnet_reference.py";

    private ResNetModels() {
    }

    public static List<ModelEntry> entries() {
        return List.of(
                entry("resnet18", ResNetConfig.RESNET18, Reference.torchvision(11_689_512, 69.758), "ResNet-18"),
                entry("resnet34", ResNetConfig.RESNET34, Reference.torchvision(21_797_672, 73.314), "ResNet-34"),
                entry("resnet50", ResNetConfig.RESNET50, Reference.torchvision(25_557_032, 76.13), "ResNet-50 (v1.5)"),
                entry("resnet101", ResNetConfig.RESNET101, Reference.torchvision(44_549_160, 77.374), "ResNet-101 (v1.5)"),
                entry("resnet152", ResNetConfig.RESNET152, Reference.torchvision(60_192_808, 78.312), "ResNet-152 (v1.5)"),
                entry("wide_resnet50_2", ResNetConfig.WIDE_RESNET50_2, Reference.torchvision(68_883_240, 78.468),
                        "Wide ResNet-50-2"),
                entry("wide_resnet101_2", ResNetConfig.WIDE_RESNET101_2, Reference.torchvision(126_886_696, 78.848),
                        "Wide ResNet-101-2"),
                entry("resnext50_32x4d", ResNetConfig.RESNEXT50_32X4D, Reference.torchvision(25_028_904, 77.618),
                        "ResNeXt-50 32x4d"),
                entry("resnext101_32x8d", ResNetConfig.RESNEXT101_32X8D, Reference.torchvision(88_791_336, 79.312),
                        "ResNeXt-101 32x8d"),
                entry("resnext101_64x4d", ResNetConfig.RESNEXT101_64X4D, Reference.torchvision(83_455_272, 83.246),
                        TORCHVISION_RESIZE_232, "ResNeXt-101 64x4d"),
                // timm's checkpoints of these names come from several recipes, each with its own top-1 and preset;
                // none is the architecture's, so no top-1 is recorded. timm's default preset is torchvision's.
                entry("seresnet50", ResNetConfig.RESNET50.withSqueezeExcitation(), timm(28_088_024),
                        "SE-ResNet-50 (timm)"),
                entry("seresnet101", ResNetConfig.RESNET101.withSqueezeExcitation(), timm(49_326_872),
                        "SE-ResNet-101 (timm)"),
                entry("seresnext50_32x4d", ResNetConfig.RESNEXT50_32X4D.withSqueezeExcitation(), timm(27_559_896),
                        "SE-ResNeXt-50 32x4d (timm)"),
                entry("seresnext101_32x4d", ResNetConfig.RESNEXT101_32X4D.withSqueezeExcitation(), timm(48_955_416),
                        "SE-ResNeXt-101 32x4d (timm)"));
    }

    private static Reference timm(long parameters) {
        return new Reference(parameters, 1, TIMM, null, null);
    }

    private static ModelEntry entry(String name, ResNetConfig config, Reference reference, String description) {
        return entry(name, config, reference, EvalPreset.TORCHVISION_IMAGENET, description);
    }

    private static ModelEntry entry(String name, ResNetConfig config, Reference reference, EvalPreset preset,
                                    String description) {
        return new ModelEntry(name, Family.RESNET, new ResNet(config), reference, INPUT, preset, description);
    }
}
