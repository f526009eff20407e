package org.repzoo.zoo.inception;

import java.util.List;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Reference;

/**
 * The registered Inception-v4 and Inception-ResNet-v2: timm's {@code inception_v4} and {@code inception_resnet_v2}
 * (exact parameter counts of timm's modules at 1000 classes; timm lists 42.68M and 55.84M), 299x299 input, timm's
 * {@code pretrained_cfg} (Inception mean/std 0.5, bicubic, crop_pct 0.875 and 0.8975). Top-1 is the paper's
 * single-crop single-model figure (Table 2).
 */
public final class InceptionV4Models {

    private static final InputShape INPUT = InputShape.of(3, 299, 299);
    private static final String PAPER = "Szegedy et al. 2016, Table 2 (single crop, single model)";

    private InceptionV4Models() {
    }

    public static List<ModelEntry> entries() {
        return List.of(
                new ModelEntry("inception_v4", Family.INCEPTION_V4, new InceptionV4(InceptionV4Config.INCEPTION_V4),
                        new Reference(42_679_816, 1, "timm inception_v4 (42.68M)", 80.0, PAPER), INPUT,
                        timmInception(0.875), "Inception-v4"),
                new ModelEntry("inception_resnet_v2", Family.INCEPTION_V4,
                        new InceptionResNetV2(InceptionResNetV2Config.INCEPTION_RESNET_V2),
                        new Reference(55_843_464, 1, "timm inception_resnet_v2 (55.84M)", 80.1, PAPER), INPUT,
                        timmInception(0.8975), "Inception-ResNet-v2 (TF-slim layout)"));
    }

    /** timm's eval transform: resize the shorter side to floor(299 / crop_pct), bicubic, centre crop 299, mean/std 0.5. */
    static EvalPreset timmInception(double cropPct) {
        return new EvalPreset((int) Math.floor(INPUT.height() / cropPct), INPUT.height(), EvalPreset.Interpolation.BICUBIC,
                List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5), EvalPreset.ChannelOrder.RGB, 1);
    }
}
