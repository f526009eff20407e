package org.repzoo.evaluation.protocol;

/**
 * A rectangle {@code [left, left + width) x [top, top + height)} in the pixel coordinates of the resized image it is
 * cut from (docs/PROTOCOLS.md §0: half-open, origin top-left).
 */
public record Box(int left, int top, int width, int height) {

    public Box {
        if (left < 0 || top < 0 || width < 1 || height < 1) {
            throw new IllegalArgumentException("invalid box at (" + left + ", " + top + ") of " + width + "x" + height);
        }
    }

    public static Box square(int left, int top, int size) {
        return new Box(left, top, size, size);
    }

    public int right() {
        return left + width;
    }

    public int bottom() {
        return top + height;
    }

    /** Whether the box lies inside a {@code width x height} image. */
    public boolean fitsIn(int imageWidth, int imageHeight) {
        return right() <= imageWidth && bottom() <= imageHeight;
    }

    /** The same box after the image is mirrored: {@code x -> W - 1 - x}. */
    public Box mirroredIn(int imageWidth) {
        return new Box(imageWidth - right(), top, width, height);
    }

    @Override
    public String toString() {
        return "[" + left + ", " + top + ", " + right() + ", " + bottom() + ")";
    }
}
