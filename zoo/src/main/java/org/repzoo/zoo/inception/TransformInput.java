package org.repzoo.zoo.inception;

import org.repzoo.zoo.core.GraphScope;

/**
 * torchvision's {@code transform_input} for GoogLeNet and Inception v3, whose weights were ported from Google's
 * TensorFlow models that expect pixels in [-1, 1]: an input normalised with the ImageNet mean/std becomes
 * {@code x_c * std_c / 0.5 + (mean_c - 0.5) / 0.5}, i.e. {@code (pixel - 0.5) / 0.5}. A vertex of its own
 * ({@code transform_input}): folding it into the first convolution would be wrong at the zero-padded border.
 */
final class TransformInput {

    static final String NAME = "transform_input";
    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    private TransformInput() {
    }

    static String apply(GraphScope root, String input) {
        double[] scale = new double[MEAN.length];
        double[] shift = new double[MEAN.length];
        for (int c = 0; c < MEAN.length; c++) {
            scale[c] = STD[c] / 0.5;
            shift[c] = (MEAN[c] - 0.5) / 0.5;
        }
        return root.channelAffine(NAME, input, scale, shift);
    }
}
