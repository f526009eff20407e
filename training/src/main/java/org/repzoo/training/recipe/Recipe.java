package org.repzoo.training.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One paper's training recipe, as data. A recipe is written as {@link #base} plus one {@code with...} per fact, so
 * that it reads like its paper's table; the record's components stay the names {@link RecipeFiles} reads and writes.
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

    /**
     * The start of a recipe: every optional part off (no momentum, warm-up, weight decay, label smoothing, auxiliary
     * loss, averaging, clipping, dropout or colour change) so that a recipe lists only what its paper states. The
     * values that cannot be off are placeholders every registered recipe overrides; they are torchvision's reference
     * script's ({@code references/classification/train.py}): lr 0.1 at batch 256 (32 on each of 8 GPUs), constant,
     * 90 epochs, a random-resized 224 crop with flip.
     */
    public static Recipe base(String name, String source) {
        return new Recipe(name, source, Optimizer.sgdMomentum(0), 0.1, 256, 256, LrScaling.NONE, 90,
                LrSchedule.constant(), 0, 0, DecayScope.WEIGHTS_AND_BIASES, 0, 0, Averaging.none(), 0, 0,
                Augmentation.randomResized(224, 0.08, Augmentation.Colour.NONE));
    }

    /** The initial learning rate at this recipe's batch size. */
    public double effectiveLearningRate() {
        return lrScaling == LrScaling.LINEAR ? learningRate * batchSize / referenceBatchSize : learningRate;
    }

    public Recipe withOptimizer(Optimizer newOptimizer) {
        return with(fields -> fields.optimizer = newOptimizer);
    }

    /**
     * The initial learning rate, the batch size it was tuned for, and whether it follows the batch size. The three go
     * together: a paper's rate means nothing without its batch, and {@link #effectiveLearningRate()} needs all three.
     */
    public Recipe withLearningRate(double newLearningRate, int newReferenceBatchSize, LrScaling newLrScaling) {
        return with(fields -> {
            fields.learningRate = newLearningRate;
            fields.referenceBatchSize = newReferenceBatchSize;
            fields.lrScaling = newLrScaling;
        });
    }

    /** The same recipe at another batch size (its learning rate follows if {@code lrScaling} is {@code LINEAR}). */
    public Recipe withBatchSize(int newBatchSize) {
        return with(fields -> fields.batchSize = newBatchSize);
    }

    /** The same recipe for another length; a warm-up longer than the new length is cut to it. */
    public Recipe withEpochs(int newEpochs) {
        return with(fields -> {
            fields.epochs = newEpochs;
            fields.warmupEpochs = Math.min(warmupEpochs, newEpochs);
        });
    }

    public Recipe withSchedule(LrSchedule newSchedule) {
        return with(fields -> fields.schedule = newSchedule);
    }

    public Recipe withWarmupEpochs(int newWarmupEpochs) {
        return with(fields -> fields.warmupEpochs = newWarmupEpochs);
    }

    /** The L2 coefficient and the parameters it applies to: the papers differ on biases, so the two go together. */
    public Recipe withWeightDecay(double newWeightDecay, DecayScope newDecayScope) {
        return with(fields -> {
            fields.weightDecay = newWeightDecay;
            fields.decayScope = newDecayScope;
        });
    }

    public Recipe withLabelSmoothing(double newLabelSmoothing) {
        return with(fields -> fields.labelSmoothing = newLabelSmoothing);
    }

    public Recipe withAuxLossWeight(double newAuxLossWeight) {
        return with(fields -> fields.auxLossWeight = newAuxLossWeight);
    }

    public Recipe withAveraging(Averaging newAveraging) {
        return with(fields -> fields.averaging = newAveraging);
    }

    public Recipe withGradientClip(double newGradientClip) {
        return with(fields -> fields.gradientClip = newGradientClip);
    }

    public Recipe withDropout(double newDropout) {
        return with(fields -> fields.dropout = newDropout);
    }

    public Recipe withAugmentation(Augmentation newAugmentation) {
        return with(fields -> fields.augmentation = newAugmentation);
    }

    /** A copy with {@code change} applied, checked by the canonical constructor like any other recipe. */
    private Recipe with(Consumer<Fields> change) {
        Fields fields = new Fields(this);
        change.accept(fields);
        return fields.toRecipe();
    }

    /** A recipe's components, open for one wither to change before they become a record again. */
    private static final class Fields {
        String name;
        String source;
        Optimizer optimizer;
        double learningRate;
        int batchSize;
        int referenceBatchSize;
        LrScaling lrScaling;
        int epochs;
        LrSchedule schedule;
        int warmupEpochs;
        double weightDecay;
        DecayScope decayScope;
        double labelSmoothing;
        double auxLossWeight;
        Averaging averaging;
        double gradientClip;
        double dropout;
        Augmentation augmentation;

        Fields(Recipe recipe) {
            name = recipe.name;
            source = recipe.source;
            optimizer = recipe.optimizer;
            learningRate = recipe.learningRate;
            batchSize = recipe.batchSize;
            referenceBatchSize = recipe.referenceBatchSize;
            lrScaling = recipe.lrScaling;
            epochs = recipe.epochs;
            schedule = recipe.schedule;
            warmupEpochs = recipe.warmupEpochs;
            weightDecay = recipe.weightDecay;
            decayScope = recipe.decayScope;
            labelSmoothing = recipe.labelSmoothing;
            auxLossWeight = recipe.auxLossWeight;
            averaging = recipe.averaging;
            gradientClip = recipe.gradientClip;
            dropout = recipe.dropout;
            augmentation = recipe.augmentation;
        }

        Recipe toRecipe() {
            return new Recipe(name, source, optimizer, learningRate, batchSize, referenceBatchSize, lrScaling, epochs,
                    schedule, warmupEpochs, weightDecay, decayScope, labelSmoothing, auxLossWeight, averaging,
                    gradientClip, dropout, augmentation);
        }
    }
}
