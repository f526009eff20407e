package org.repzoo.evaluation.engine;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.repzoo.evaluation.image.CenterCrop;
import org.repzoo.evaluation.image.HorizontalFlip;
import org.repzoo.evaluation.image.Resampler;
import org.repzoo.evaluation.image.ResizeShort;
import org.repzoo.evaluation.image.RgbImage;
import org.repzoo.evaluation.protocol.Box;
import org.repzoo.evaluation.protocol.View;
import org.repzoo.zoo.core.EvalPreset.Interpolation;

/**
 * Cuts the views' patches out of a decoded image: each scale's resize once (P1, P5: Pillow's antialiased filter),
 * then per view the box, the resize of the patch where the view asks for one (GoogLeNet's whole squares, with the
 * same filter), then the mirror (P4). Pure pixel work, run on the worker threads.
 */
final class Patches {

    private static final HorizontalFlip MIRROR = new HorizontalFlip();

    private Patches() {
    }

    static RgbImage[] cut(RgbImage image, List<View> views, Interpolation interpolation) {
        Map<Integer, RgbImage> resized = new HashMap<>();
        RgbImage[] patches = new RgbImage[views.size()];
        for (int i = 0; i < views.size(); i++) {
            View view = views.get(i);
            RgbImage scaled = resized.computeIfAbsent(view.scale(),
                    scale -> new ResizeShort(scale, interpolation).apply(image));
            Box box = view.box();
            if (!box.fitsIn(scaled.width(), scaled.height())) {
                throw new IllegalStateException("view box " + box + " outside the " + scaled.width() + "x"
                        + scaled.height() + " resized image (a protocol bug)");
            }
            boolean whole = box.width() == scaled.width() && box.height() == scaled.height();
            RgbImage patch = whole ? scaled : scaled.crop(box.left(), box.top(), box.width(), box.height());
            if (view.resizesPatch()) {
                patch = Resampler.resize(patch, view.outputSize(), view.outputSize(), interpolation);
            }
            patches[i] = view.isMirrored() ? MIRROR.apply(patch) : patch;
        }
        return patches;
    }
}
