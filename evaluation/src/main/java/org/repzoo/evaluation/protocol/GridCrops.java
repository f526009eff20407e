package org.repzoo.evaluation.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * VGG's multi-crop evaluation (Simonyan &amp; Zisserman 2015, §3.2 and Table 5; docs/PROTOCOLS.md §1.4): at each
 * scale Q a regular {@code cells x cells} grid of crops, "5 x 5 regular grid with 2 flips", 50 views per scale and
 * 150 for Q = {256, 384, 512}, soft-max averaged with equal weights.
 *
 * <p>The paper gives no positions. [ours, docs/PROTOCOLS.md] {@code x_i = rint(i (W' - crop) / (cells - 1))}: evenly
 * spaced with both borders included, so the corners are torchvision's corner crops and the middle cell is exactly
 * its CenterCrop. Order per scale: the grid row by row, then the same boxes mirrored.
 */
public record GridCrops(List<Integer> scales, int crop, int cells) implements Protocol {

    /** VGG's grid. */
    public static final int VGG_CELLS = 5;

    public GridCrops {
        scales = Geometry.checkScales("multi-crop", scales, crop);
        if (cells < 2) {
            throw new IllegalArgumentException("multi-crop needs a grid of at least 2x2, got " + cells);
        }
    }

    @Override
    public String name() {
        return "multi-crop";
    }

    @Override
    public List<WeightedView> views(int width, int height) {
        double weight = 1.0 / (2 * cells * cells * scales.size());
        List<WeightedView> views = new ArrayList<>();
        for (int scale : scales) {
            int[] size = Geometry.resized(width, height, scale);
            List<View> grid = new ArrayList<>();
            for (int row = 0; row < cells; row++) {
                for (int column = 0; column < cells; column++) {
                    grid.add(View.crop(scale, Box.square(Geometry.gridOffset(size[0], crop, column, cells),
                            Geometry.gridOffset(size[1], crop, row, cells), crop), View.Flip.NONE));
                }
            }
            grid.forEach(view -> views.add(new WeightedView(view, weight)));
            grid.forEach(view -> views.add(new WeightedView(view.mirrored(), weight)));
        }
        return views;
    }

    @Override
    public String description() {
        return "shorter side to " + Geometry.join(scales) + ", at each a " + cells + "x" + cells + " grid of " + crop
                + " crops and their mirrors, soft-max averaged over " + 2 * cells * cells * scales.size() + " views";
    }
}
