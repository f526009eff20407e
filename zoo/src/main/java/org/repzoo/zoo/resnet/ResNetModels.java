package org.repzoo.zoo.resnet;

import java.util.List;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Reference;

/** The registered ResNets: torchvision's ResNet 18-152 and Wide ResNets. */
public final class ResNetModels {

    private static final InputShape INPUT = InputShape.of(3, 224, 224);

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
                        "Wide ResNet-101-2"));
    }

    private static ModelEntry entry(String name, ResNetConfig config, Reference reference, String description) {
        return new ModelEntry(name, Family.RESNET, new ResNet(config), reference, INPUT, EvalPreset.TORCHVISION_IMAGENET,
                description);
    }
}
