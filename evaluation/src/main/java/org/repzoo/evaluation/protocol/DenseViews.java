package org.repzoo.evaluation.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * VGG's dense evaluation (Simonyan &amp; Zisserman 2015, §3.2; docs/PROTOCOLS.md §1.3): the whole image, resized so
 * that its shorter side is Q, through the fully-convolutional form of the net (FC layers as convolutions); the
 * class score map is averaged spatially before the soft-max (§1.3 step 5, [ours]: mean, not sum), and
 * the posteriors of the image and its mirror are averaged, then over the scales (step 7).
 *
 * <p>The same machinery is ResNet's fully-convolutional multi-scale testing (He et al. 2015, §3.4, docs/PROTOCOLS.md
 * §3.1): scales {224, 256, 384, 480, 640}; the paper does not mention flips, so its literal form is
 * {@link Mirroring#ORIGINAL_ONLY}.
 */
public record DenseViews(List<Integer> scales, int crop, Mirroring mirroring) implements Protocol {

    /** Whether the mirrored image is evaluated too. */
    public enum Mirroring { ORIGINAL_ONLY, WITH_MIRROR }

    /** ResNet's test scales (He et al. 2015, §3.4). */
    public static final List<Integer> RESNET_SCALES = List.of(224, 256, 384, 480, 640);

    /**
     * {@code crop}: the classifier's input size, the smallest scale allowed (VGG's score map needs Q &ge; 224,
     * §1.3 step 4).
     */
    public DenseViews {
        scales = Geometry.checkScales("dense", scales, crop);
        if (mirroring == null) {
            throw new IllegalArgumentException("dense needs a mirroring");
        }
    }

    @Override
    public String name() {
        return "dense";
    }

    @Override
    public List<WeightedView> views(int width, int height) {
        boolean mirror = mirroring == Mirroring.WITH_MIRROR;
        double weight = 1.0 / ((mirror ? 2 : 1) * scales.size());
        List<WeightedView> views = new ArrayList<>();
        for (int scale : scales) {
            int[] size = Geometry.resized(width, height, scale);
            View whole = View.whole(scale, size[0], size[1], View.Flip.NONE);
            views.add(new WeightedView(whole, weight));
            if (mirror) {
                views.add(new WeightedView(whole.mirrored(), weight));
            }
        }
        return views;
    }

    @Override
    public String description() {
        return "shorter side to " + Geometry.join(scales) + ", whole image through the fully-convolutional net, "
                + "class scores averaged over the map" + (mirroring == Mirroring.WITH_MIRROR
                ? ", image and mirror" : "") + ", soft-max averaged over " + viewsPerImage() + " views";
    }
}
