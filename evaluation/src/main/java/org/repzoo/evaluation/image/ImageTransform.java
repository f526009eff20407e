package org.repzoo.evaluation.image;

/** One step of a preprocessing chain: a new image from an image, never modifying its input. */
@FunctionalInterface
public interface ImageTransform {

    RgbImage apply(RgbImage image);

    /** This transform, then {@code next}. */
    default ImageTransform then(ImageTransform next) {
        return image -> next.apply(apply(image));
    }
}
