package org.repzoo.zoo.core;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Softmax cross-entropy computed from logits, as {@code torch.nn.CrossEntropyLoss} does. RepZoo's classifiers
 * output logits (like torchvision's), which DL4J's MCXENT cannot take: it expects probabilities from a softmax
 * activation. With this loss the same graph predicts logits and trains. Labels may be soft (rows summing to 1).
 *
 * <p>A weight scales score and gradient: an auxiliary classifier (GoogLeNet's, weight 0.3 as Caffe's
 * {@code loss_weight}) is an extra network output whose loss enters DL4J's total score, the sum over output layers,
 * at that weight.
 */
public final class LogitsCrossEntropy implements ILossFunction {

    private final double weight;

    /** The plain loss (weight 1). */
    public LogitsCrossEntropy() {
        this(1.0);
    }

    public LogitsCrossEntropy(double weight) {
        if (!(weight > 0) || Double.isInfinite(weight)) {
            throw new IllegalArgumentException("loss weight must be positive and finite, got " + weight);
        }
        this.weight = weight;
    }

    /** JSON: configurations saved before the weight existed have none, which means 1. */
    @JsonCreator
    static LogitsCrossEntropy fromJson(@JsonProperty("weight") Double weight) {
        return new LogitsCrossEntropy(weight == null ? 1.0 : weight);
    }

    public double getWeight() {
        return weight;
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double sum = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? sum / labels.size(0) : sum;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray logits = activationFn.getActivation(preOutput.dup(), true);
        INDArray score = labels.mul(logSoftmax(logits)).sum(1).muli(-weight);
        return applyMask(score.reshape(score.length(), 1), mask);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray logits = activationFn.getActivation(preOutput.dup(), true);
        INDArray labelMass = labels.sum(1).reshape(labels.size(0), 1);
        INDArray dLogits = Transforms.exp(logSoftmax(logits), false).muliColumnVector(labelMass).subi(labels).muli(weight);
        INDArray grad = activationFn.backprop(preOutput.dup(), dLogits).getFirst();
        return applyMask(grad, mask);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput, IActivation activationFn,
            INDArray mask, boolean average) {
        return new Pair<>(computeScore(labels, preOutput, activationFn, mask, average),
                computeGradient(labels, preOutput, activationFn, mask));
    }

    /** Numerically stable: subtracts each row's maximum before exponentiating. */
    private static INDArray logSoftmax(INDArray logits) {
        INDArray shifted = logits.subColumnVector(logits.max(1).reshape(logits.size(0), 1));
        INDArray logSum = Transforms.log(Transforms.exp(shifted, true).sum(1), false).reshape(logits.size(0), 1);
        return shifted.subiColumnVector(logSum);
    }

    private static INDArray applyMask(INDArray perExample, INDArray mask) {
        if (mask == null) {
            return perExample;
        }
        return perExample.muliColumnVector(mask.reshape(mask.length(), 1).castTo(perExample.dataType()));
    }

    @Override
    public String name() {
        return "LogitsCrossEntropy";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LogitsCrossEntropy other && Double.compare(other.weight, weight) == 0;
    }

    @Override
    public int hashCode() {
        return LogitsCrossEntropy.class.hashCode() * 31 + Double.hashCode(weight);
    }

    @Override
    public String toString() {
        return weight == 1.0 ? name() : name() + "(weight=" + weight + ")";
    }
}
