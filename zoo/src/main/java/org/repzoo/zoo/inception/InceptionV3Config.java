package org.repzoo.zoo.inception;

import java.util.List;

/**
 * Inception v3 as data: the layers in order, as torchvision's {@code Inception3.__init__} lists them.
 *
 * @param layers        stem convolutions and pools, the mixed blocks, and where the auxiliary classifier branches off
 * @param dropout       drop probability before the classifier
 * @param auxLossWeight weight of the auxiliary classifier's loss in the total score
 */
public record InceptionV3Config(List<Step> layers, double dropout, double auxLossWeight) {

    /** One entry of the layer list. */
    public sealed interface Step permits BasicConv, MaxPool, Mixed, Aux {
    }

    /** A {@code BasicConv2d} of the stem. */
    public record BasicConv(String name, int channels, int kernel, int stride, int padding) implements Step {
    }

    /** A 3x3/2 max pool (floor rounding). */
    public record MaxPool(String name) implements Step {
    }

    /**
     * A mixed block: {@code A} (35x35, {@code width} = pool_features), {@code B} (35 to 17 grid reduction),
     * {@code C} (17x17 with factorised 7x7 convolutions, {@code width} = channels_7x7), {@code D} (17 to 8 grid
     * reduction), {@code E} (8x8 with expanded 1x3/3x1 branches). {@code width} is 0 where the block has none.
     */
    public record Mixed(String name, Kind kind, int width) implements Step {
    }

    /** The auxiliary classifier on the current (17x17) feature map. */
    public record Aux(String name) implements Step {
    }

    /** torchvision's InceptionA to InceptionE. */
    public enum Kind { A, B, C, D, E }

    /**
     * torchvision 0.14's {@code Inception3} (Szegedy et al. 2016, Figures 5-7 and Table 1). The auxiliary loss
     * weight 0.4 is that of TF-slim's {@code train_image_classifier.py}, the trainer of Google's released weights
     * (the paper gives none).
     */
    public static final InceptionV3Config TORCHVISION = new InceptionV3Config(List.of(
            new BasicConv("Conv2d_1a_3x3", 32, 3, 2, 0),
            new BasicConv("Conv2d_2a_3x3", 32, 3, 1, 0),
            new BasicConv("Conv2d_2b_3x3", 64, 3, 1, 1),
            new MaxPool("maxpool1"),
            new BasicConv("Conv2d_3b_1x1", 80, 1, 1, 0),
            new BasicConv("Conv2d_4a_3x3", 192, 3, 1, 0),
            new MaxPool("maxpool2"),
            new Mixed("Mixed_5b", Kind.A, 32),
            new Mixed("Mixed_5c", Kind.A, 64),
            new Mixed("Mixed_5d", Kind.A, 64),
            new Mixed("Mixed_6a", Kind.B, 0),
            new Mixed("Mixed_6b", Kind.C, 128),
            new Mixed("Mixed_6c", Kind.C, 160),
            new Mixed("Mixed_6d", Kind.C, 160),
            new Mixed("Mixed_6e", Kind.C, 192),
            new Aux("AuxLogits"),
            new Mixed("Mixed_7a", Kind.D, 0),
            new Mixed("Mixed_7b", Kind.E, 0),
            new Mixed("Mixed_7c", Kind.E, 0)), 0.5, 0.4);

    public InceptionV3Config {
        layers = List.copyOf(layers);
        if (dropout < 0 || dropout >= 1 || !(auxLossWeight > 0)) {
            throw new IllegalArgumentException("invalid Inception v3 config: dropout " + dropout + ", aux loss weight "
                    + auxLossWeight);
        }
    }
}
