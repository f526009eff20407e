package org.repzoo.zoo.repvgg;

import java.util.ArrayList;
import java.util.List;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Reference;

/**
 * The registered RepVGG variants, each in both forms: {@code repvgg_a0} (train form, what the official training
 * checkpoints hold) and {@code repvgg_a0_deploy} (the converted plain stack). Counts are the official repository's
 * models (DingXiaoH/RepVGG {@code repvgg.py}, recomputed by tools/reference/repvgg_reference.py).
 */
public final class RepVggModels {

    private static final InputShape INPUT = InputShape.of(3, 224, 224);
    private static final String SOURCE = "official RepVGG repository (repvgg.py)";
    private static final String PAPER_TOP1 = "Ding et al. 2021, Table 4 (120 epochs)";

    private record Variant(String suffix, RepVggConfig config, long trainParams, long deployParams, Double top1,
                           String top1Source, InputShape input, EvalPreset preset) {

        /** A variant of the paper, evaluated as torchvision's models are. */
        Variant(String suffix, RepVggConfig config, long trainParams, long deployParams, Double top1) {
            this(suffix, config, trainParams, deployParams, top1, PAPER_TOP1, INPUT, EvalPreset.TORCHVISION_IMAGENET);
        }
    }

    /**
     * Learnable parameters of the official models (train form, deploy form) and the paper's 120-epoch top-1 (Table 4;
     * null where the paper trained longer or has no such variant; D2se, which the paper lacks, has the official README's
     * figure). The figures (deploy forms, train A0, B1g4, B3) agree with these; D2se's agree with
     * MMClassification's table (133.33M train, 120.39M deploy).
     */
    private static final List<Variant> VARIANTS = List.of(
            new Variant("a0", RepVggConfig.A0, 9_108_968, 8_309_384, 72.41),
            new Variant("a1", RepVggConfig.A1, 14_092_264, 12_789_864, 74.46),
            new Variant("a2", RepVggConfig.A2, 28_210_600, 25_499_944, 76.48),
            new Variant("b0", RepVggConfig.B0, 15_817_960, 14_339_048, 75.14),
            new Variant("b1", RepVggConfig.B1, 57_415_016, 51_829_480, 78.37),
            new Variant("b1g2", RepVggConfig.B1.withGroups(2), 45_782_376, 41_360_104, 77.78),
            new Variant("b1g4", RepVggConfig.B1.withGroups(4), 39_966_056, 36_125_416, 77.58),
            new Variant("b2", RepVggConfig.B2, 89_022_376, 80_315_112, 78.78),
            new Variant("b2g2", RepVggConfig.B2.withGroups(2), 70_846_376, 63_956_712, null),
            new Variant("b2g4", RepVggConfig.B2.withGroups(4), 61_758_376, 55_777_512, null),
            new Variant("b3", RepVggConfig.B3, 123_085_288, 110_960_872, null),
            new Variant("b3g2", RepVggConfig.B3.withGroups(2), 96_911_848, 87_404_776, null),
            new Variant("b3g4", RepVggConfig.B3.withGroups(4), 83_825_128, 75_626_728, null),
            // trained at 224, tested at 320 (resize 320, centre crop 320: the official test.py at --resolution 320)
            new Variant("d2se", RepVggConfig.D2SE, 133_334_836, 120_387_572, 83.55,
                    "official RepVGG README (200 epochs, tested at 320x320)", InputShape.of(3, 320, 320),
                    EvalPreset.torchvision(320, 320)));

    private RepVggModels() {
    }

    public static List<ModelEntry> entries() {
        List<ModelEntry> entries = new ArrayList<>();
        for (Variant v : VARIANTS) {
            String label = "RepVGG-" + Character.toUpperCase(v.suffix().charAt(0)) + v.suffix().substring(1);
            String se = v.config().attention() == RepVggConfig.Attention.SQUEEZE_EXCITATION ? " + SE" : "";
            entries.add(entry("repvgg_" + v.suffix(), v, RepVgg.Form.TRAIN, v.trainParams(),
                    label + ", train form (3x3 + 1x1 + identity branches" + se + ")"));
            entries.add(entry("repvgg_" + v.suffix() + "_deploy", v, RepVgg.Form.DEPLOY, v.deployParams(),
                    label + ", deploy form (plain 3x3 conv" + se + " + ReLU)"));
        }
        return entries;
    }

    private static ModelEntry entry(String name, Variant variant, RepVgg.Form form, long parameters, String description) {
        Reference reference = new Reference(parameters, 1, SOURCE, variant.top1(), variant.top1Source());
        return new ModelEntry(name, Family.REPVGG, new RepVgg(variant.config(), form), reference, variant.input(),
                variant.preset(), description);
    }
}
