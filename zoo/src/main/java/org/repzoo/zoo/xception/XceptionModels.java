package org.repzoo.zoo.xception;

import java.util.List;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Reference;

/**
 * The registered Xception: timm's {@code legacy_xception} (22,855,952 parameters), 299x299 input, timm's
 * {@code pretrained_cfg} (mean/std 0.5, bicubic, crop_pct 0.8975: resize 333, crop 299). Top-1 is the paper's
 * (Table 1).
 */
public final class XceptionModels {

    private static final InputShape INPUT = InputShape.of(3, 299, 299);

    private XceptionModels() {
    }

    public static List<ModelEntry> entries() {
        EvalPreset preset = new EvalPreset((int) Math.floor(299 / 0.8975), 299, EvalPreset.Interpolation.BICUBIC,
                List.of(0.5, 0.5, 0.5), List.of(0.5, 0.5, 0.5), EvalPreset.ChannelOrder.RGB, 1);
        return List.of(new ModelEntry("xception", Family.XCEPTION, new Xception(XceptionConfig.XCEPTION),
                new Reference(22_855_952, 1, "timm legacy_xception", 79.0, "Chollet 2017, Table 1"), INPUT, preset,
                "Xception (timm legacy_xception)"));
    }
}
