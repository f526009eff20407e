package org.repzoo.training.recipe;

import java.io.Serializable;
import java.util.Objects;

/**
 * A recipe's training-time augmentation, as data for the input pipeline.
 * <ul>
 *   <li>{@code SCALE_JITTER}: resize the shorter side to S drawn uniformly from [{@code scaleMin},
 *       {@code scaleMax}], then a random {@code cropSize} crop (VGG, ResNet).</li>
 *   <li>{@code RANDOM_RESIZED}: a patch of {@code areaMin}..{@code areaMax} of the image area with aspect ratio in
 *       [{@code aspectMin}, {@code aspectMax}], resized to {@code cropSize} (GoogLeNet's, RepVGG's).</li>
 *   <li>{@code PAD_CROP}: the evaluation view (the preset's resize and centre crop), padded with {@code padding}
 *       black pixels on each side, then a random {@code cropSize} crop (He et al. 2016's CIFAR recipe, sec. 4.2;
 *       for small images such as Fashion-MNIST, where a random-resized crop of 8% would leave nothing).</li>
 * </ul>
 * Serializable, so that Spark executors, which build their own share of the minibatches, get it from the driver.
 */
public record Augmentation(Crop crop, int cropSize, int scaleMin, int scaleMax, double areaMin, double areaMax,
                           double aspectMin, double aspectMax, Flip flip, Colour colour, int padding)
        implements Serializable {

    /** How the training crop is drawn. */
    public enum Crop { SCALE_JITTER, RANDOM_RESIZED, PAD_CROP }

    /** Mirroring. */
    public enum Flip { NONE, HORIZONTAL }

    /**
     * Colour changes: AlexNet's PCA lighting noise (std 0.1 along the RGB principal components), or the
     * brightness/contrast/saturation/hue distortions of GoogLeNet and TF-slim's Inception preprocessing.
     */
    public enum Colour { NONE, PCA_LIGHTING, PHOTOMETRIC }

    public Augmentation {
        Objects.requireNonNull(crop, "crop");
        Objects.requireNonNull(flip, "flip");
        Objects.requireNonNull(colour, "colour");
        if (cropSize < 1 || padding < 0 || (crop == Crop.SCALE_JITTER && (scaleMin < cropSize || scaleMax < scaleMin))
                || (crop == Crop.RANDOM_RESIZED && !(areaMin > 0 && areaMin <= areaMax && areaMax <= 1
                && aspectMin > 0 && aspectMin <= aspectMax))) {
            throw new IllegalArgumentException("augmentation has an out-of-range value: " + this);
        }
    }

    /**
     * The same augmentation for another model input size: the crop follows it, and scale jittering's range keeps its
     * ratio to the crop (ImageNet's [256, 512] for 224 becomes [37, 73] for 32).
     */
    public Augmentation withCropSize(int size) {
        if (size == cropSize) {
            return this;
        }
        int min = (int) Math.round((double) scaleMin * size / cropSize);
        int max = (int) Math.round((double) scaleMax * size / cropSize);
        return new Augmentation(crop, size, min, max, areaMin, areaMax, aspectMin, aspectMax, flip, colour, padding);
    }

    /** The same crop with other colour changes (a crop's factory fixes the paper's; an experiment may vary it). */
    public Augmentation withColour(Colour newColour) {
        return new Augmentation(crop, cropSize, scaleMin, scaleMax, areaMin, areaMax, aspectMin, aspectMax, flip,
                newColour, padding);
    }

    public static Augmentation scaleJitter(int cropSize, int scaleMin, int scaleMax, Colour colour) {
        return new Augmentation(Crop.SCALE_JITTER, cropSize, scaleMin, scaleMax, 0, 0, 0, 0, Flip.HORIZONTAL,
                colour, 0);
    }

    public static Augmentation randomResized(int cropSize, double areaMin, Colour colour) {
        return new Augmentation(Crop.RANDOM_RESIZED, cropSize, 0, 0, areaMin, 1.0, 3.0 / 4, 4.0 / 3,
                Flip.HORIZONTAL, colour, 0);
    }

    public static Augmentation padCrop(int cropSize, int padding, Flip flip) {
        return new Augmentation(Crop.PAD_CROP, cropSize, 0, 0, 0, 0, 0, 0, flip, Colour.NONE, padding);
    }
}
