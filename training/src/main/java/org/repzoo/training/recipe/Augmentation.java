package org.repzoo.training.recipe;

import java.util.Objects;

/**
 * A recipe's training-time augmentation, as data for the input pipeline.
 * <ul>
 *   <li>{@code SCALE_JITTER}: resize the shorter side to S drawn uniformly from [{@code scaleMin},
 *       {@code scaleMax}], then a random {@code cropSize} crop (VGG, ResNet).</li>
 *   <li>{@code RANDOM_RESIZED}: a patch of {@code areaMin}..{@code areaMax} of the image area with aspect ratio in
 *       [{@code aspectMin}, {@code aspectMax}], resized to {@code cropSize} (GoogLeNet's, RepVGG's).</li>
 * </ul>
 */
public record Augmentation(Crop crop, int cropSize, int scaleMin, int scaleMax, double areaMin, double areaMax,
                           double aspectMin, double aspectMax, Flip flip, Colour colour) {

    /** How the training crop is drawn. */
    public enum Crop { SCALE_JITTER, RANDOM_RESIZED }

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
    }

    public static Augmentation scaleJitter(int cropSize, int scaleMin, int scaleMax, Colour colour) {
        return new Augmentation(Crop.SCALE_JITTER, cropSize, scaleMin, scaleMax, 0, 0, 0, 0, Flip.HORIZONTAL, colour);
    }

    public static Augmentation randomResized(int cropSize, double areaMin, Colour colour) {
        return new Augmentation(Crop.RANDOM_RESIZED, cropSize, 0, 0, areaMin, 1.0, 3.0 / 4, 4.0 / 3,
                Flip.HORIZONTAL, colour);
    }
}
