package org.repzoo.zoo.core;

import java.util.Objects;

/**
 * What a user may change about a registered architecture without changing the architecture.
 *
 * @param numClasses     width of the classifier
 * @param input          image shape; {@code null} means the entry's default
 * @param seed           seed of the weight initialisation
 * @param residualInit   how the residual branches start (architectures without residual branches refuse
 *                       {@link ResidualInit#ZERO_LAST_BATCH_NORM})
 * @param inputTransform what the network does to its input first (architectures without torchvision's
 *                       {@code transform_input} refuse {@link InputTransform#TO_INCEPTION_RANGE})
 * @param auxClassifiers whether the auxiliary classifiers of the architectures that have them are built
 */
public record ModelOptions(int numClasses, InputShape input, long seed, ResidualInit residualInit,
                           InputTransform inputTransform, AuxClassifiers auxClassifiers) {

    public static final int IMAGENET_CLASSES = 1000;

    /**
     * torchvision's {@code zero_init_residual}. STANDARD: every BatchNorm starts at gamma 1. ZERO_LAST_BATCH_NORM: the
     * last BN of each residual branch starts at gamma 0, so that each block starts as the identity (Goyal et al.
     * 2017, arXiv:1706.02677; torchvision reports 0.2-0.3% better top-1).
     */
    public enum ResidualInit { STANDARD, ZERO_LAST_BATCH_NORM }

    /**
     * torchvision's {@code transform_input} (GoogLeNet, Inception v3). NONE: the input goes in as given.
     * TO_INCEPTION_RANGE: the input, normalised with the ImageNet mean/std, is re-normalised per channel to the
     * (x - 0.5) / 0.5 that Google's ported weights expect; torchvision turns it on with those weights.
     */
    public enum InputTransform { NONE, TO_INCEPTION_RANGE }

    /**
     * torchvision's {@code aux_logits}. BUILT: the auxiliary classifiers are extra network outputs, which training
     * uses and inference ignores. OMITTED: only the main classifier (a no-op for nets that have none).
     */
    public enum AuxClassifiers { BUILT, OMITTED }

    public ModelOptions {
        if (numClasses < 1) {
            throw new IllegalArgumentException("number of classes must be at least 1, got " + numClasses);
        }
        Objects.requireNonNull(residualInit, "residualInit");
        Objects.requireNonNull(inputTransform, "inputTransform");
        Objects.requireNonNull(auxClassifiers, "auxClassifiers");
    }

    public static ModelOptions defaults() {
        return new ModelOptions(IMAGENET_CLASSES, null, 42L, ResidualInit.STANDARD, InputTransform.NONE,
                AuxClassifiers.BUILT);
    }

    public ModelOptions withClasses(int classes) {
        return new ModelOptions(classes, input, seed, residualInit, inputTransform, auxClassifiers);
    }

    public ModelOptions withInput(InputShape shape) {
        return new ModelOptions(numClasses, shape, seed, residualInit, inputTransform, auxClassifiers);
    }

    public ModelOptions withSeed(long newSeed) {
        return new ModelOptions(numClasses, input, newSeed, residualInit, inputTransform, auxClassifiers);
    }

    /** torchvision's {@code zero_init_residual=True}. */
    public ModelOptions withZeroInitResidual() {
        return new ModelOptions(numClasses, input, seed, ResidualInit.ZERO_LAST_BATCH_NORM, inputTransform,
                auxClassifiers);
    }

    /** torchvision's {@code transform_input=True}. */
    public ModelOptions withTransformInput() {
        return new ModelOptions(numClasses, input, seed, residualInit, InputTransform.TO_INCEPTION_RANGE,
                auxClassifiers);
    }

    /** Without auxiliary classifiers (torchvision's {@code aux_logits=False}); a no-op for nets that have none. */
    public ModelOptions withoutAuxLogits() {
        return new ModelOptions(numClasses, input, seed, residualInit, inputTransform, AuxClassifiers.OMITTED);
    }

    /** torchvision's {@code zero_init_residual}: whether the last BN of each residual branch starts at gamma 0. */
    public boolean zeroInitResidual() {
        return residualInit == ResidualInit.ZERO_LAST_BATCH_NORM;
    }

    /** torchvision's {@code transform_input}: whether the input is re-normalised to Google's range first. */
    public boolean transformInput() {
        return inputTransform == InputTransform.TO_INCEPTION_RANGE;
    }

    /** torchvision's {@code aux_logits}: whether the auxiliary classifiers are built. */
    public boolean auxLogits() {
        return auxClassifiers == AuxClassifiers.BUILT;
    }
}
