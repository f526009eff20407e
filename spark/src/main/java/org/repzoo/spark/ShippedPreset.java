package org.repzoo.spark;

import java.io.Serializable;
import java.util.ArrayList;
import org.repzoo.zoo.core.EvalPreset;

/** An {@link EvalPreset} as Spark ships it to executors (the zoo's record is not serializable). */
record ShippedPreset(int resizeSize, int cropSize, EvalPreset.Interpolation interpolation, ArrayList<Double> mean,
                     ArrayList<Double> std, EvalPreset.ChannelOrder channelOrder, double scale) implements Serializable {

    static ShippedPreset of(EvalPreset preset) {
        return new ShippedPreset(preset.resizeSize(), preset.cropSize(), preset.interpolation(),
                new ArrayList<>(preset.mean()), new ArrayList<>(preset.std()), preset.channelOrder(), preset.scale());
    }

    EvalPreset preset() {
        return new EvalPreset(resizeSize, cropSize, interpolation, mean, std, channelOrder, scale);
    }
}
