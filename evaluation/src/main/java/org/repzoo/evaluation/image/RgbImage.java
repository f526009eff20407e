package org.repzoo.evaluation.image;

import java.util.Arrays;

/**
 * An 8-bit RGB image, the equivalent of a PIL image in mode {@code "RGB"}: {@code pixels} holds {@code R, G, B} per
 * pixel, rows top to bottom, each row left to right, so pixel {@code (x, y)} channel {@code c} is at
 * {@code 3 * (y * width + x) + c}. Bytes are unsigned ({@code & 0xFF}).
 *
 * <p>The array is shared, not copied: treat it as immutable once the image is built. {@code equals} compares the
 * pixel values.
 *
 * @param width  columns, at least 1
 * @param height rows, at least 1
 * @param pixels {@code 3 * width * height} bytes
 */
public record RgbImage(int width, int height, byte[] pixels) {

    public RgbImage {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (pixels == null) {
            throw new IllegalArgumentException("pixels must not be null");
        }
        long expected = 3L * width * height;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + expected
                    + " bytes, got " + pixels.length);
        }
    }

    /** A black image, as PIL's {@code Image.new("RGB", size)}. */
    public static RgbImage black(int width, int height) {
        return new RgbImage(width, height, new byte[Math.multiplyExact(3, Math.multiplyExact(width, height))]);
    }

    /**
     * The {@code width x height} box whose top-left corner is at {@code (left, top)}; pixels outside the image are
     * black, as PIL's {@code Image.crop} fills them. Every protocol's views and every training crop are such boxes.
     */
    public RgbImage crop(int left, int top, int width, int height) {
        RgbImage out = black(width, height);
        int firstColumn = Math.max(0, -left);
        int lastColumn = Math.min(width, this.width - left);
        if (lastColumn <= firstColumn) {
            return out;
        }
        int rowBytes = 3 * (lastColumn - firstColumn);
        for (int y = Math.max(0, -top); y < Math.min(height, this.height - top); y++) {
            System.arraycopy(pixels, 3 * ((y + top) * this.width + left + firstColumn),
                    out.pixels(), 3 * (y * width + firstColumn), rowBytes);
        }
        return out;
    }


    /** Channel {@code channel} (0 = R, 1 = G, 2 = B) of pixel {@code (x, y)}, in 0..255. */
    public int sample(int x, int y, int channel) {
        if (x < 0 || x >= width || y < 0 || y >= height || channel < 0 || channel > 2) {
            throw new IndexOutOfBoundsException("(" + x + ", " + y + ") channel " + channel + " outside a "
                    + width + "x" + height + " RGB image");
        }
        return pixels[3 * (y * width + x) + channel] & 0xFF;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RgbImage image && width == image.width && height == image.height
                && Arrays.equals(pixels, image.pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
