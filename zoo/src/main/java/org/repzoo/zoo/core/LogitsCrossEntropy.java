package org.repzoo.zoo.core;

import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Softmax cross-entropy computed from logits, as {@code torch.nn.CrossEntropyLoss} does. RepZoo's classifiers
 * output logits (like torchvision's), which DL4J's MCXENT cannot take: it expects probabilities from a softmax
 * activation. With this loss the same graph predicts logits and trains. Labels may be soft (rows summing to 1).
 */
public final class LogitsCrossEntropy implements ILossFunction {

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask, boolean average) {
        double sum = computeScoreArray(labels, preOutput, activationFn, mask).sumNumber().doubleValue();
        return average ? sum / labels.size(0) : sum;
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray logits = activationFn.getActivation(preOutput.dup(), true);
        INDArray score = labels.mul(logSoftmax(logits)).sum(1).negi();
        return applyMask(score.reshape(score.length(), 1), mask);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        INDArray logits = activationFn.getActivation(preOutput.dup(), true);
        INDArray labelMass = labels.sum(1).reshape(labels.size(0), 1);
        INDArray dLogits = Transforms.exp(logSoftmax(logits), false).muliColumnVector(labelMass).subi(labels);
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
        return o instanceof LogitsCrossEntropy;
    }

    @Override
    public int hashCode() {
        return LogitsCrossEntropy.class.hashCode();
    }

    @Override
    public String toString() {
        return name();
    }
}
