package org.repzoo.evaluation.protocol;

import java.util.ArrayList;
import java.util.List;

/**
 * torchvision's {@code TenCrop(crop)} after {@code Resize(scale)} (docs/PROTOCOLS.md P3, §4.2), the "standard
 * 10-crop testing" of the ResNet paper as fb.resnet.torch and torchvision take it (§3.1): the four corners and the
 * centre of the resized image, then the same five of the mirrored image, soft-max averaged.
 *
 * <p>The mirrored five are crops of the mirrored image, as torchvision cuts them: in un-flipped coordinates the
 * boxes {@code tr, tl, br, bl} and a centre one pixel to the right of the plain centre whenever {@code W' - crop} is
 * odd. AlexNet's own variant (corners of the central {@code scale x scale} square) is not this protocol.
 */
public record TenCrop(int scale, int crop) implements Protocol {

    public TenCrop {
        Geometry.checkScales("ten-crop", List.of(scale), crop);
    }

    @Override
    public String name() {
        return "ten-crop";
    }

    @Override
    public List<Integer> scales() {
        return List.of(scale);
    }

    @Override
    public List<WeightedView> views(int width, int height) {
        int[] size = Geometry.resized(width, height, scale);
        int right = size[0] - crop;
        int bottom = size[1] - crop;
        List<Box> five = List.of(Box.square(0, 0, crop), Box.square(right, 0, crop), Box.square(0, bottom, crop),
                Box.square(right, bottom, crop),
                Box.square(Geometry.center(size[0], crop), Geometry.center(size[1], crop), crop));
        List<WeightedView> views = new ArrayList<>();
        for (Box box : five) {
            views.add(new WeightedView(View.crop(scale, box, View.Flip.NONE), 0.1));
        }
        for (Box box : five) {
            // five_crop(hflip(image)) takes the same boxes in the mirrored image: mirrored back, tl becomes tr and
            // the centre moves right by one pixel when W' - crop is odd (rint rounds (W' - crop) / 2 down then).
            views.add(new WeightedView(View.crop(scale, box.mirroredIn(size[0]), View.Flip.MIRRORED), 0.1));
        }
        return views;
    }

    @Override
    public String description() {
        return "shorter side to " + scale + ", torchvision TenCrop(" + crop + "): 4 corners + centre, and the same of"
                + " the mirrored image, soft-max averaged over 10 views";
    }
}
