package org.repzoo.evaluation.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * The centre crop at one or more scales, posteriors averaged: {@code single} is torchvision's
 * {@code Resize(Q) + CenterCrop(crop)} (docs/PROTOCOLS.md §4.1; timm's crop_pct rule is already the preset's resize
 * size), {@code multi-scale} VGG's §4.2 evaluation of several Q with the centre crop of each (the paper runs its
 * dense net there; this is the crop form, the dense form is {@link DenseViews}).
 *
 * @param name   {@code single} or {@code multi-scale}
 * @param scales the Q values
 * @param crop   side of the centre crop
 */
public record CenterCrops(String name, List<Integer> scales, int crop) implements Protocol {

    public CenterCrops {
        scales = Geometry.checkScales(name, scales, crop);
    }

    @Override
    public List<WeightedView> views(int width, int height) {
        List<WeightedView> views = new ArrayList<>();
        for (int scale : scales) {
            int[] size = Geometry.resized(width, height, scale);
            Box box = Box.square(Geometry.center(size[0], crop), Geometry.center(size[1], crop), crop);
            views.add(new WeightedView(View.crop(scale, box, View.Flip.NONE), 1.0 / scales.size()));
        }
        return views;
    }

    @Override
    public String description() {
        return "shorter side to " + Geometry.join(scales) + ", centre " + crop + " crop"
                + (scales.size() > 1 ? " at each scale, soft-max averaged over " + scales.size() + " views" : "");
    }
}
