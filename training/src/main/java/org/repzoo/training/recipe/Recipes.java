package org.repzoo.training.recipe;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.repzoo.training.recipe.Augmentation.Colour;
import org.repzoo.training.recipe.Recipe.DecayScope;
import org.repzoo.training.recipe.Recipe.LrScaling;
import org.repzoo.zoo.core.Family;

/**
 * The registered recipes, one per family, with the papers' numbers. Where a paper is silent the value comes from the
 * reference implementation named in {@link Recipe#source()}.
 */
public final class Recipes {

    /**
     * Simonyan &amp; Zisserman 2015, section 3.1: batch 256, momentum 0.9, weight decay 5e-4, dropout 0.5 on the first
     * two FC layers, lr 0.01 divided by 10 when validation accuracy stopped improving (3 times, 370K iterations = 74
     * epochs); scale jittering S in [256, 512], random 224 crop, flip, AlexNet's RGB colour shift.
     */
    public static final Recipe VGG = Recipe.base("vgg",
                    "Simonyan & Zisserman 2015, sec. 3.1 (patience 1 epoch is ours: the paper gives none)")
            .withOptimizer(Optimizer.sgdMomentum(0.9))
            .withBatchSize(256)
            .withLearningRate(0.01, 256, LrScaling.NONE)
            .withSchedule(LrSchedule.plateau(0.1, 1))
            .withEpochs(74)
            .withWeightDecay(5e-4, DecayScope.WEIGHTS_AND_BIASES)
            .withDropout(0.5)
            .withAugmentation(Augmentation.scaleJitter(224, 256, 512, Colour.PCA_LIGHTING));

    /**
     * Szegedy et al. 2015, section 6: momentum 0.9, learning rate decreased by 4% every 8 epochs, auxiliary losses
     * weighted 0.3, Polyak averaging for the final model, patches of 8%..100% of the area with aspect ratio in
     * [3/4, 4/3], photometric distortions. Not in the paper (BVLC's Caffe reproduction, {@code solver.prototxt}, whose
     * step of 0.96 every 320K iterations at batch 32 is the paper's 4% every 8 epochs): base lr 0.01, weight decay
     * 2e-4, batch 32, 250 epochs (10M iterations).
     */
    public static final Recipe GOOGLENET = Recipe.base("googlenet",
                    "Szegedy et al. 2015, sec. 6; lr, weight decay, batch, epochs from BVLC googlenet solver.prototxt")
            .withOptimizer(Optimizer.sgdMomentum(0.9))
            .withBatchSize(32)
            .withLearningRate(0.01, 32, LrScaling.NONE)
            .withSchedule(LrSchedule.everyEpochs(8, 0.96))
            .withEpochs(250)
            .withWeightDecay(2e-4, DecayScope.WEIGHTS_AND_BIASES)
            .withAuxLossWeight(0.3)
            .withAveraging(Averaging.uniform())
            .withDropout(0.4)
            .withAugmentation(Augmentation.randomResized(224, 0.08, Colour.PHOTOMETRIC));

    /**
     * Szegedy et al. 2016, sections 7-8: RMSProp decay 0.9, epsilon 1.0, lr 0.045 decayed by 0.94 every two epochs,
     * gradient clipping at 2.0, batch 32 per replica, 100 epochs, label smoothing 0.1. Not in the paper (TF-slim's
     * {@code train_image_classifier} defaults and torchvision's reference): RMSProp momentum 0.9, weight decay 4e-5,
     * auxiliary loss weight 0.4, Inception preprocessing at 299.
     */
    public static final Recipe INCEPTION_V3 = Recipe.base("inception_v3",
                    "Szegedy et al. 2016, sec. 7-8; RMSProp momentum, weight decay, aux weight from TF-slim")
            .withOptimizer(Optimizer.rmsProp(0.9, 0.9, 1.0))
            .withBatchSize(32)
            .withLearningRate(0.045, 32, LrScaling.NONE)
            .withSchedule(LrSchedule.everyEpochs(2, 0.94))
            .withEpochs(100)
            .withWeightDecay(4e-5, DecayScope.WEIGHTS_AND_BIASES)
            .withLabelSmoothing(0.1)
            .withAuxLossWeight(0.4)
            .withGradientClip(2.0)
            .withDropout(0.2)
            .withAugmentation(Augmentation.randomResized(299, 0.05, Colour.PHOTOMETRIC));

    /**
     * He et al. 2016, section 3.4 (also ResNeXt's and SE-Net's setting): momentum 0.9, weight decay 1e-4, batch 256,
     * lr 0.1 divided by 10 (torchvision's reference: at epochs 30 and 60 of 90), scale augmentation S in [256, 480],
     * random 224 crop, flip, standard colour augmentation.
     */
    public static final Recipe RESNET = Recipe.base("resnet",
                    "He et al. 2016, sec. 3.4; step epochs 30/60 of 90 from torchvision's reference")
            .withOptimizer(Optimizer.sgdMomentum(0.9))
            .withBatchSize(256)
            .withLearningRate(0.1, 256, LrScaling.LINEAR)
            .withSchedule(LrSchedule.multiStep(0.1, 30, 60))
            .withEpochs(90)
            .withWeightDecay(1e-4, DecayScope.WEIGHTS_AND_BIASES)
            .withAugmentation(Augmentation.scaleJitter(224, 256, 480, Colour.PCA_LIGHTING));

    /**
     * Ding et al. 2021, section 4.1: momentum 0.9, batch 256, lr 0.1 cosine-annealed over 120 epochs, weight decay
     * 1e-4 (the reference {@code train.py} excludes BN and bias), random-resized crop and flip. EMA and label
     * smoothing are off here as in the A/B-series runs; JSON overrides turn them on.
     */
    public static final Recipe REPVGG = Recipe.base("repvgg",
                    "Ding et al. 2021, sec. 4.1; no decay on BN/bias from DingXiaoH/RepVGG train.py")
            .withOptimizer(Optimizer.sgdMomentum(0.9))
            .withBatchSize(256)
            .withLearningRate(0.1, 256, LrScaling.LINEAR)
            .withSchedule(LrSchedule.cosine(0))
            .withEpochs(120)
            .withWeightDecay(1e-4, DecayScope.WEIGHTS_ONLY)
            .withAugmentation(Augmentation.randomResized(224, 0.08, Colour.NONE));

    /**
     * Szegedy et al. 2017, section 4 (Inception-v4 and Inception-ResNet): RMSProp decay 0.9, epsilon 1.0, lr 0.045
     * decayed by 0.94 every two epochs, evaluation with a running average of the parameters. Not in the paper (as
     * {@link #INCEPTION_V3}, from TF-slim): RMSProp momentum 0.9, weight decay 4e-5, batch 32, 100 epochs, EMA decay
     * 0.9999 ({@code moving_average_decay} of TF-slim's runs), Inception preprocessing at 299.
     */
    public static final Recipe INCEPTION_V4 = Recipe.base("inception_v4",
                    "Szegedy et al. 2017, sec. 4; momentum, weight decay, batch, epochs, EMA decay from TF-slim")
            .withOptimizer(Optimizer.rmsProp(0.9, 0.9, 1.0))
            .withBatchSize(32)
            .withLearningRate(0.045, 32, LrScaling.NONE)
            .withSchedule(LrSchedule.everyEpochs(2, 0.94))
            .withEpochs(100)
            .withWeightDecay(4e-5, DecayScope.WEIGHTS_AND_BIASES)
            .withAveraging(Averaging.exponential(0.9999))
            .withDropout(0.2)
            .withAugmentation(Augmentation.randomResized(299, 0.05, Colour.PHOTOMETRIC));

    /**
     * Chollet 2017, section 4.3: SGD momentum 0.9, lr 0.045 decayed by 0.94 every 2 epochs, weight decay 1e-5,
     * dropout 0.5 before the classifier, no auxiliary tower, Polyak averaging at inference. Not in the paper: batch 32
     * and 100 epochs (as the Inception recipes), Inception preprocessing at 299.
     */
    public static final Recipe XCEPTION = Recipe.base("xception",
                    "Chollet 2017, sec. 4.3; batch and epochs as the Inception recipes")
            .withOptimizer(Optimizer.sgdMomentum(0.9))
            .withBatchSize(32)
            .withLearningRate(0.045, 32, LrScaling.NONE)
            .withSchedule(LrSchedule.everyEpochs(2, 0.94))
            .withEpochs(100)
            .withWeightDecay(1e-5, DecayScope.WEIGHTS_AND_BIASES)
            .withAveraging(Averaging.uniform())
            .withDropout(0.5)
            .withAugmentation(Augmentation.randomResized(299, 0.05, Colour.PHOTOMETRIC));

    private static final Map<Family, Recipe> BY_FAMILY;
    private static final Map<String, Recipe> BY_NAME;

    static {
        Map<Family, Recipe> byFamily = new EnumMap<>(Family.class);
        byFamily.put(Family.VGG, VGG);
        byFamily.put(Family.GOOGLENET, GOOGLENET);
        byFamily.put(Family.INCEPTION, INCEPTION_V3);
        byFamily.put(Family.RESNET, RESNET);
        byFamily.put(Family.REPVGG, REPVGG);
        byFamily.put(Family.INCEPTION_V4, INCEPTION_V4);
        byFamily.put(Family.XCEPTION, XCEPTION);
        BY_FAMILY = Collections.unmodifiableMap(byFamily);
        Map<String, Recipe> byName = new LinkedHashMap<>();
        for (Recipe recipe : byFamily.values()) {
            byName.put(recipe.name(), recipe);
        }
        BY_NAME = Collections.unmodifiableMap(byName);
    }

    private Recipes() {
    }

    /** The family's paper recipe. */
    public static Recipe forFamily(Family family) {
        Recipe recipe = BY_FAMILY.get(family);
        if (recipe == null) {
            throw new IllegalArgumentException("no registered recipe for " + family.displayName()
                    + "; pass a recipe by name " + BY_NAME.keySet() + " or a JSON file");
        }
        return recipe;
    }

    public static Recipe byName(String name) {
        Recipe recipe = BY_NAME.get(name);
        if (recipe == null) {
            throw new IllegalArgumentException("unknown recipe '" + name + "'; known: " + BY_NAME.keySet());
        }
        return recipe;
    }

    public static Map<String, Recipe> all() {
        return BY_NAME;
    }
}
