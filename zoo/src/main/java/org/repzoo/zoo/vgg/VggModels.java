package org.repzoo.zoo.vgg;

import java.util.List;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Reference;

/** The registered VGG models: the paper's six configurations and torchvision's four BN variants. */
public final class VggModels {

    private static final InputShape INPUT = InputShape.of(3, 224, 224);
    private static final String PAPER = "Simonyan & Zisserman 2015, Table 2";
    private static final String PAPER_TOP1 = "Simonyan & Zisserman 2015, Table 3 (S=256, Q=256)";

    private VggModels() {
    }

    public static List<ModelEntry> entries() {
        return List.of(
                entry("vgg11", VggConfig.A, Reference.torchvision(132_863_336, 69.02), "configuration A"),
                entry("vgg11_lrn", VggConfig.A_LRN, Reference.paperMillions(133, PAPER, 70.3, PAPER_TOP1),
                        "configuration A-LRN (local response normalisation)"),
                entry("vgg13", VggConfig.B, Reference.torchvision(133_047_848, 69.928), "configuration B"),
                entry("vgg16_c", VggConfig.C, Reference.paperMillions(134, PAPER, 71.9, PAPER_TOP1),
                        "configuration C (1x1 convolutions)"),
                entry("vgg16", VggConfig.D, Reference.torchvision(138_357_544, 71.592), "configuration D"),
                entry("vgg19", VggConfig.E, Reference.torchvision(143_667_240, 72.376), "configuration E"),
                entry("vgg11_bn", VggConfig.A.withBatchNorm(), Reference.torchvision(132_868_840, 70.37), "A with batch norm"),
                entry("vgg13_bn", VggConfig.B.withBatchNorm(), Reference.torchvision(133_053_736, 71.586), "B with batch norm"),
                entry("vgg16_bn", VggConfig.D.withBatchNorm(), Reference.torchvision(138_365_992, 73.36), "D with batch norm"),
                entry("vgg19_bn", VggConfig.E.withBatchNorm(), Reference.torchvision(143_678_248, 74.218), "E with batch norm"));
    }

    private static ModelEntry entry(String name, VggConfig config, Reference reference, String description) {
        return new ModelEntry(name, Family.VGG, new Vgg(config), reference, INPUT,
                EvalPreset.TORCHVISION_IMAGENET, "VGG " + description);
    }
}
