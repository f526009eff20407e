package org.repzoo.evaluation.image;

/**
 * The centred {@code size x size} square: torchvision 0.14 {@code F.center_crop(img, [size])}
 * (docs/PROTOCOLS.md P2).
 *
 * <p>The offsets are {@code rint((L - size) / 2.0)}, rounding half to even like Python's {@code round}: 341 → 224
 * starts at 58 (58.5 → 58), 342 → 299 at 22 (21.5 → 22). A side shorter than {@code size} is first zero-padded,
 * {@code (size - L) / 2} before and {@code (size - L + 1) / 2} after, as torchvision pads it.
 *
 * @param size side of the square crop
 */
public record CenterCrop(int size) implements ImageTransform {

    public CenterCrop {
        if (size < 1) {
            throw new IllegalArgumentException("crop size must be positive, got " + size);
        }
    }

    /**
     * Where a crop of {@code crop} pixels starts along an axis of {@code length} pixels; negative when
     * {@code crop > length}, where it counts the zero padding before the image.
     */
    public static int offset(int length, int crop) {
        if (crop > length) {
            return -((crop - length) / 2);
        }
        return (int) Math.rint((length - crop) / 2.0);
    }

    @Override
    public RgbImage apply(RgbImage image) {
        return image.crop(offset(image.width(), size), offset(image.height(), size), size, size);
    }
}
