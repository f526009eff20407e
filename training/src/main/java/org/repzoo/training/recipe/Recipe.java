package org.repzoo.training.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One paper's training recipe, as data.
 *
 * @param name               registry name ({@code repvgg}, {@code resnet}, ...)
 * @param source             where the numbers come from (paper section, or reference script where the paper is
 *                           silent)
 * @param optimizer          the optimizer and its hyper-parameters
 * @param learningRate       the initial learning rate, for {@code referenceBatchSize} images per step
 * @param batchSize          images per step
 * @param referenceBatchSize the batch size {@code learningRate} was tuned for
 * @param lrScaling          {@code LINEAR}: the learning rate is scaled by {@code batchSize / referenceBatchSize}
 *                           (Goyal et al. 2017)
 * @param epochs             training length
 * @param schedule           how the learning rate moves
 * @param warmupEpochs       epochs of linear warm-up (0: none)
 * @param weightDecay        L2 coefficient added to the gradient ({@code weight_decay} of PyTorch and Caffe)
 * @param decayScope         which parameters it applies to; BatchNorm's never (see {@link DecayScope})
 * @param labelSmoothing     label smoothing of the loss (0: none)
 * @param auxLossWeight      weight of each auxiliary classifier's loss (0: the recipe has none)
 * @param averaging          weight averaging for the final model
 * @param gradientClip       per-layer L2 norm clipping threshold (0: none)
 * @param dropout            dropout the paper states (documentation: the architectures already contain it)
 * @param augmentation       training-time augmentation
 */
public record Recipe(String name, String source, Optimizer optimizer, double learningRate, int batchSize,
                     int referenceBatchSize, LrScaling lrScaling, int epochs, LrSchedule schedule, int warmupEpochs,
                     double weightDecay, DecayScope decayScope, double labelSmoothing, double auxLossWeight,
                     Averaging averaging, double gradientClip, double dropout, Augmentation augmentation) {

    /** Whether the learning rate follows the batch size. */
    public enum LrScaling { NONE, LINEAR }

    /**
     * Which parameters weight decay applies to. DL4J never regularises BatchNorm's gamma and beta
     * ({@code BatchNormalization.getRegularizationByParam} returns none), so they are excluded in all; PyTorch's
     * default decays them, a deviation for the recipes that use {@code WEIGHTS_AND_BIASES}.
     * {@code EQUIVALENT_KERNEL} is RepVGG's custom L2 (official {@code get_custom_L2}): weights only, and in each
     * RepVGG block the 3x3 and 1x1 kernels are decayed through the block's equivalent kernel
     * ({@link org.repzoo.training.regularization.EquivalentKernelL2}) instead of one by one.
     */
    public enum DecayScope { WEIGHTS_AND_BIASES, WEIGHTS_ONLY, EQUIVALENT_KERNEL }

    public Recipe {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(optimizer, "optimizer");
        Objects.requireNonNull(lrScaling, "lrScaling");
        Objects.requireNonNull(schedule, "schedule");
        Objects.requireNonNull(decayScope, "decayScope");
        Objects.requireNonNull(averaging, "averaging");
        Objects.requireNonNull(augmentation, "augmentation");
        // the keys named as in the JSON, so a bad --set or recipe file points at its own mistake
        List<String> bad = new ArrayList<>();
        check(bad, learningRate > 0, "learningRate", learningRate, "> 0");
        check(bad, batchSize > 0, "batchSize", batchSize, "> 0");
        check(bad, referenceBatchSize > 0, "referenceBatchSize", referenceBatchSize, "> 0");
        check(bad, epochs > 0, "epochs", epochs, "> 0");
        check(bad, warmupEpochs >= 0 && warmupEpochs <= epochs, "warmupEpochs", warmupEpochs, "0 to epochs");
        check(bad, weightDecay >= 0, "weightDecay", weightDecay, ">= 0");
        check(bad, labelSmoothing >= 0 && labelSmoothing < 1, "labelSmoothing", labelSmoothing, "in [0, 1)");
        check(bad, auxLossWeight >= 0, "auxLossWeight", auxLossWeight, ">= 0");
        check(bad, gradientClip >= 0, "gradientClip", gradientClip, ">= 0");
        check(bad, dropout >= 0 && dropout < 1, "dropout", dropout, "in [0, 1)");
        if (!bad.isEmpty()) {
            throw new IllegalArgumentException("recipe " + name + ": " + String.join("; ", bad));
        }
    }

    private static void check(List<String> bad, boolean ok, String key, Object value, String rule) {
        if (!ok) {
            bad.add(key + " is " + value + ", must be " + rule);
        }
    }

    /** The initial learning rate at this recipe's batch size. */
    public double effectiveLearningRate() {
        return lrScaling == LrScaling.LINEAR ? learningRate * batchSize / referenceBatchSize : learningRate;
    }

    /** The same recipe at another batch size (its learning rate follows if {@code lrScaling} is {@code LINEAR}). */
    public Recipe withBatchSize(int newBatchSize) {
        return new Recipe(name, source, optimizer, learningRate, newBatchSize, referenceBatchSize, lrScaling, epochs,
                schedule, warmupEpochs, weightDecay, decayScope, labelSmoothing, auxLossWeight, averaging,
                gradientClip, dropout, augmentation);
    }

    public Recipe withEpochs(int newEpochs) {
        return new Recipe(name, source, optimizer, learningRate, batchSize, referenceBatchSize, lrScaling, newEpochs,
                schedule, Math.min(warmupEpochs, newEpochs), weightDecay, decayScope, labelSmoothing, auxLossWeight,
                averaging, gradientClip, dropout, augmentation);
    }

    public Recipe withAugmentation(Augmentation newAugmentation) {
        return new Recipe(name, source, optimizer, learningRate, batchSize, referenceBatchSize, lrScaling, epochs,
                schedule, warmupEpochs, weightDecay, decayScope, labelSmoothing, auxLossWeight, averaging,
                gradientClip, dropout, newAugmentation);
    }
}
