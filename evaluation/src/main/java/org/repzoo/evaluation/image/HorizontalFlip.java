package org.repzoo.evaluation.image;

/**
 * Mirror image, {@code out(x, y) = in(W - 1 - x, y)}: torchvision {@code F.hflip}, PIL
 * {@code Image.transpose(FLIP_LEFT_RIGHT)} (docs/PROTOCOLS.md P4).
 */
public record HorizontalFlip() implements ImageTransform {

    @Override
    public RgbImage apply(RgbImage image) {
        int width = image.width();
        byte[] in = image.pixels();
        byte[] out = new byte[in.length];
        for (int y = 0; y < image.height(); y++) {
            int row = 3 * y * width;
            for (int x = 0; x < width; x++) {
                System.arraycopy(in, row + 3 * (width - 1 - x), out, row + 3 * x, 3);
            }
        }
        return new RgbImage(width, image.height(), out);
    }
}
