package org.repzoo.zoo.core;

/**
 * What a user may change about a registered architecture without changing the architecture.
 *
 * @param numClasses        width of the classifier
 * @param input             image shape; {@code null} means the entry's default
 * @param seed              seed of the weight initialisation
 * @param zeroInitResidual  torchvision's {@code zero_init_residual}: the last BN of each residual branch
 *                          starts at gamma 0 (architectures without residual branches refuse it)
 * @param transformInput    torchvision's {@code transform_input} (GoogLeNet, Inception v3): the input, normalised
 *                          with the ImageNet mean/std, is re-normalised per channel to the (x - 0.5) / 0.5 that
 *                          Google's ported weights expect; torchvision turns it on with those weights
 *                          (architectures without it refuse it)
 * @param auxLogits         torchvision's {@code aux_logits}: build the auxiliary classifiers (extra network outputs
 *                          that training uses and inference ignores) of the architectures that have them
 */
public record ModelOptions(int numClasses, InputShape input, long seed, boolean zeroInitResidual,
                           boolean transformInput, boolean auxLogits) {

    public static final int IMAGENET_CLASSES = 1000;

    public ModelOptions {
        if (numClasses < 1) {
            throw new IllegalArgumentException("number of classes must be at least 1, got " + numClasses);
        }
    }

    public static ModelOptions defaults() {
        return new ModelOptions(IMAGENET_CLASSES, null, 42L, false, false, true);
    }

    public ModelOptions withClasses(int classes) {
        return new ModelOptions(classes, input, seed, zeroInitResidual, transformInput, auxLogits);
    }

    public ModelOptions withInput(InputShape shape) {
        return new ModelOptions(numClasses, shape, seed, zeroInitResidual, transformInput, auxLogits);
    }

    public ModelOptions withSeed(long newSeed) {
        return new ModelOptions(numClasses, input, newSeed, zeroInitResidual, transformInput, auxLogits);
    }

    public ModelOptions withZeroInitResidual() {
        return new ModelOptions(numClasses, input, seed, true, transformInput, auxLogits);
    }

    public ModelOptions withTransformInput() {
        return new ModelOptions(numClasses, input, seed, zeroInitResidual, true, auxLogits);
    }

    /** Without auxiliary classifiers (torchvision's {@code aux_logits=False}); a no-op for nets that have none. */
    public ModelOptions withoutAuxLogits() {
        return new ModelOptions(numClasses, input, seed, zeroInitResidual, transformInput, false);
    }

    /** The input shape to build with: this option's, or the given default. */
    public InputShape inputOr(InputShape fallback) {
        return input != null ? input : fallback;
    }
}
