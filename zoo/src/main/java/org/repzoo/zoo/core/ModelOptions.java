package org.repzoo.zoo.core;

/**
 * What a user may change about a registered architecture without changing the architecture.
 *
 * @param numClasses        width of the classifier
 * @param input             image shape; {@code null} means the entry's default
 * @param seed              seed of the weight initialisation
 * @param zeroInitResidual  torchvision's {@code zero_init_residual}: the last BN of each residual branch
 *                          starts at gamma 0 (architectures without residual branches refuse it)
 */
public record ModelOptions(int numClasses, InputShape input, long seed, boolean zeroInitResidual) {

    public static final int IMAGENET_CLASSES = 1000;

    public ModelOptions {
        if (numClasses < 1) {
            throw new IllegalArgumentException("number of classes must be at least 1, got " + numClasses);
        }
    }

    public static ModelOptions defaults() {
        return new ModelOptions(IMAGENET_CLASSES, null, 42L, false);
    }

    public ModelOptions withClasses(int classes) {
        return new ModelOptions(classes, input, seed, zeroInitResidual);
    }

    public ModelOptions withInput(InputShape shape) {
        return new ModelOptions(numClasses, shape, seed, zeroInitResidual);
    }

    public ModelOptions withSeed(long newSeed) {
        return new ModelOptions(numClasses, input, newSeed, zeroInitResidual);
    }

    public ModelOptions withZeroInitResidual() {
        return new ModelOptions(numClasses, input, seed, true);
    }

    /** The input shape to build with: this option's, or the given default. */
    public InputShape inputOr(InputShape fallback) {
        return input != null ? input : fallback;
    }
}
