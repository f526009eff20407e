package org.repzoo.evaluation.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * GoogLeNet's 144 crops (Szegedy et al. 2014, §7; docs/PROTOCOLS.md §2.2): the shorter side resized to 256, 288,
 * 320 and 352; the left, centre and right squares (top, centre, bottom for portrait images); in each the four
 * corner crops, the centre crop and the whole square resized to the crop size; each also mirrored. 4 x 3 x 6 x 2 =
 * 144 views, soft-max averaged with equal weights.
 *
 * <p>[ours, docs/PROTOCOLS.md] The middle square and the inner centre use P2's round-half-even offset, so the middle
 * square's centre crop is torchvision's CenterCrop. A square image gives three identical squares: all are kept, so
 * every image has 144 equally weighted views. The whole square is resampled with the same antialiased filter as
 * the resize, then mirrored. Order per scale and square: tl, tr, bl, br, centre, whole (five_crop's order), then
 * the six mirrored. For crops other than 224 the scales are {@code rint(s * crop / 224)} (§3.2, non-canonical).
 */
public record GoogLeNetCrops(List<Integer> scales, int crop) implements Protocol {

    /** The paper's shorter sides, for 224 crops. */
    public static final List<Integer> PAPER_SCALES = List.of(256, 288, 320, 352);

    public GoogLeNetCrops {
        scales = Geometry.checkScales("googlenet-144", scales, crop);
    }

    /** The paper's protocol for a crop size: its scales times {@code crop / 224}, rounded. */
    public static GoogLeNetCrops forCrop(int crop) {
        return new GoogLeNetCrops(PAPER_SCALES.stream().map(s -> Geometry.scaleFor(s, crop)).toList(), crop);
    }

    @Override
    public String name() {
        return "googlenet-144";
    }

    @Override
    public List<WeightedView> views(int width, int height) {
        double weight = 1.0 / (36 * scales.size());
        List<WeightedView> views = new ArrayList<>();
        for (int scale : scales) {
            int[] size = Geometry.resized(width, height, scale);
            boolean landscape = size[0] >= size[1];
            int longer = Math.max(size[0], size[1]);
            for (int offset : new int[] {0, Geometry.center(longer, scale), longer - scale}) {
                int left = landscape ? offset : 0;
                int top = landscape ? 0 : offset;
                int inner = scale - crop;
                int middle = Geometry.center(scale, crop);
                List<View> six = List.of(
                        View.crop(scale, Box.square(left, top, crop), View.Flip.NONE),
                        View.crop(scale, Box.square(left + inner, top, crop), View.Flip.NONE),
                        View.crop(scale, Box.square(left, top + inner, crop), View.Flip.NONE),
                        View.crop(scale, Box.square(left + inner, top + inner, crop), View.Flip.NONE),
                        View.crop(scale, Box.square(left + middle, top + middle, crop), View.Flip.NONE),
                        new View(scale, Box.square(left, top, scale), View.Flip.NONE, crop, View.Network.CLASSIFIER));
                six.forEach(view -> views.add(new WeightedView(view, weight)));
                six.forEach(view -> views.add(new WeightedView(view.mirrored(), weight)));
            }
        }
        return views;
    }

    @Override
    public String description() {
        return "shorter side to " + Geometry.join(scales) + ", 3 squares each, in each 4 corners + centre " + crop
                + " crop + the square resized to " + crop + ", and their mirrors, soft-max averaged over "
                + 36 * scales.size() + " views";
    }
}
