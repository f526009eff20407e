package org.repzoo.evaluation.protocol;

import java.util.List;
import org.repzoo.evaluation.image.CenterCrop;
import org.repzoo.evaluation.image.ResizeShort;
import org.repzoo.zoo.core.EvalPreset.Interpolation;

/** The shared rules every protocol is built from, delegating to the image transforms so there is one of each. */
final class Geometry {

    private Geometry() {
    }

    /** {@code {width', height'}} after resizing the shorter side to {@code scale} (P1, integer truncation). */
    static int[] resized(int width, int height, int scale) {
        // The interpolation does not change the size; any will do.
        return new ResizeShort(scale, Interpolation.BILINEAR).outputSize(width, height);
    }

    /** P2: {@code rint((length - crop) / 2.0)}, round half to even. */
    static int center(int length, int crop) {
        return CenterCrop.offset(length, crop);
    }

    /**
     * Offset of cell {@code index} of {@code cells} evenly spaced crops along an axis, both borders included:
     * {@code rint(index * (length - crop) / (cells - 1))} (docs/PROTOCOLS.md §1.4, [ours]).
     */
    static int gridOffset(int length, int crop, int index, int cells) {
        return (int) Math.rint(index * (double) (length - crop) / (cells - 1));
    }

    /** {@code rint(value * crop / 224)}: a scale the papers give for 224 crops, for another crop size (§3.2). */
    static int scaleFor(int scaleAt224, int crop) {
        return (int) Math.rint(scaleAt224 * (double) crop / 224);
    }

    static List<Integer> checkScales(String protocol, List<Integer> scales, int crop) {
        if (crop < 1) {
            throw new IllegalArgumentException(protocol + ": crop size must be positive, got " + crop);
        }
        if (scales == null || scales.isEmpty()) {
            throw new IllegalArgumentException(protocol + " needs at least one scale");
        }
        for (int scale : scales) {
            if (scale < crop) {
                throw new IllegalArgumentException(protocol + ": scale " + scale + " is smaller than the " + crop
                        + " crop (every image is resized so that its shorter side is the scale, then cropped)");
            }
        }
        return List.copyOf(scales);
    }

    static String join(List<Integer> scales) {
        return scales.stream().map(String::valueOf).reduce((a, b) -> a + "," + b).orElse("");
    }
}
