package org.repzoo.evaluation.protocol;

/**
 * One input a protocol feeds the network for an image (docs/PROTOCOLS.md §7.3, "(box, flip, resizeTo?)"):
 * resize the image's shorter side to {@code scale} (P1, P5), cut {@code box}, resize the patch to
 * {@code outputSize x outputSize} when that differs from the box (GoogLeNet's whole squares), then mirror it if
 * {@code flip} says so (P4: the extracted patch is mirrored; torchvision's TenCrop boxes, which crop the mirrored
 * image, are expressed as the mirrored box of the un-flipped image).
 *
 * @param scale      shorter side of the resized image
 * @param box        where the patch is, in the resized image's un-flipped coordinates
 * @param flip       whether the patch is mirrored
 * @param outputSize side of the square patch the network sees; 0 keeps the box's size (whole-image views)
 * @param network    the classifier as built, or its fully-convolutional form (dense evaluation)
 */
public record View(int scale, Box box, Flip flip, int outputSize, Network network) {

    /** Whether a view's patch is mirrored. */
    public enum Flip { NONE, MIRRORED }

    /**
     * Which form of the model runs the view: the classifier as built, on square crops of its input size; or the
     * fully-convolutional form (FC layers as convolutions, scores averaged over the map) on the whole image.
     */
    public enum Network { CLASSIFIER, FULLY_CONVOLUTIONAL }

    public View {
        if (scale < 1 || outputSize < 0) {
            throw new IllegalArgumentException("invalid view: scale " + scale + ", output size " + outputSize);
        }
        if (box == null || flip == null || network == null) {
            throw new IllegalArgumentException("a view needs a box, a flip and a network");
        }
    }

    /** A square crop the classifier sees as it is. */
    public static View crop(int scale, Box box, Flip flip) {
        return new View(scale, box, flip, box.width(), Network.CLASSIFIER);
    }

    /** The whole resized image, for the fully-convolutional network. */
    public static View whole(int scale, int resizedWidth, int resizedHeight, Flip flip) {
        return new View(scale, new Box(0, 0, resizedWidth, resizedHeight), flip, 0, Network.FULLY_CONVOLUTIONAL);
    }

    /** The same view mirrored. */
    public View mirrored() {
        return new View(scale, box, Flip.MIRRORED, outputSize, network);
    }

    public boolean isMirrored() {
        return flip == Flip.MIRRORED;
    }

    /** Width of the patch the network sees. */
    public int patchWidth() {
        return outputSize == 0 ? box.width() : outputSize;
    }

    /** Height of the patch the network sees. */
    public int patchHeight() {
        return outputSize == 0 ? box.height() : outputSize;
    }

    /** Whether the cut box is resampled to another size. */
    public boolean resizesPatch() {
        return outputSize != 0 && (outputSize != box.width() || outputSize != box.height());
    }
}
