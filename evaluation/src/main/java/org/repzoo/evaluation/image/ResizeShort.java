package org.repzoo.evaluation.image;

import org.repzoo.zoo.core.EvalPreset.Interpolation;

/**
 * Resizes the shorter side to {@code size} and keeps the aspect ratio: torchvision 0.14
 * {@code F.resize(img, [size], interpolation)} on a PIL image (docs/PROTOCOLS.md P1, P5).
 *
 * <p>The longer side is truncated, not rounded ({@code _compute_resized_output_size}): 500x375 → 341x256. An image
 * that already has that size is returned untouched, as torchvision returns it without resampling.
 *
 * @param size          target length of the shorter side
 * @param interpolation Pillow filter, always antialiased
 */
public record ResizeShort(int size, Interpolation interpolation) implements ImageTransform {

    public ResizeShort {
        if (size < 1) {
            throw new IllegalArgumentException("resize size must be positive, got " + size);
        }
        if (interpolation == null) {
            throw new IllegalArgumentException("interpolation must not be null");
        }
    }

    /** {@code {width', height'}} for a {@code width x height} image (P1, integer arithmetic). */
    public int[] outputSize(int width, int height) {
        // torchvision's int(size * long / short) in double equals the integer floor for any real image size.
        if (width <= height) {
            return new int[] {size, Math.toIntExact((long) size * height / width)};
        }
        return new int[] {Math.toIntExact((long) size * width / height), size};
    }

    @Override
    public RgbImage apply(RgbImage image) {
        int[] target = outputSize(image.width(), image.height());
        if (target[0] == image.width() && target[1] == image.height()) {
            return image;
        }
        return Resampler.resize(image, target[0], target[1], interpolation);
    }
}
