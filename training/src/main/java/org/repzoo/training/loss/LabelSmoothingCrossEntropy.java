package org.repzoo.training.loss;

import java.util.Objects;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonIgnore;
import org.nd4j.shade.jackson.annotation.JsonProperty;
import org.repzoo.zoo.core.LogitsCrossEntropy;

/**
 * Softmax cross-entropy on logits against smoothed labels (Szegedy et al. 2016, "Rethinking the Inception
 * Architecture", section 7): the target is {@code (1 - smoothing) * y + smoothing / K} for K classes, as
 * {@code torch.nn.CrossEntropyLoss(label_smoothing=...)}. Inception v3 used smoothing 0.1.
 *
 * <p>It is zoo's {@link LogitsCrossEntropy} applied to the smoothed labels, so it keeps that loss's weight (0.3 for
 * GoogLeNet's auxiliary heads) and its handling of masks and soft labels: the uniform part is scaled by each row's
 * label mass, so a row of zeros stays zero.
 */
public final class LabelSmoothingCrossEntropy implements ILossFunction {

    @JsonProperty
    private final double smoothing;
    @JsonProperty
    private final double weight;
    @JsonIgnore // derived from the weight
    private final transient LogitsCrossEntropy crossEntropy;

    @JsonCreator
    public LabelSmoothingCrossEntropy(@JsonProperty("smoothing") double smoothing,
                                      @JsonProperty("weight") double weight) {
        if (!(smoothing >= 0 && smoothing < 1)) {
            throw new IllegalArgumentException("label smoothing must be in [0, 1), got " + smoothing);
        }
        this.smoothing = smoothing;
        this.weight = weight;
        this.crossEntropy = new LogitsCrossEntropy(weight);
    }

    public double smoothing() {
        return smoothing;
    }

    public double weight() {
        return weight;
    }

    /** {@code (1 - smoothing) * y + smoothing * mass / K}, where mass is the row's label sum (1 for one-hot). */
    INDArray smooth(INDArray labels) {
        long classes = labels.size(1);
        INDArray mass = labels.sum(1).reshape(labels.size(0), 1).muli(smoothing / classes);
        return labels.mul(1 - smoothing).addiColumnVector(mass);
    }

    @Override
    public double computeScore(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask,
                               boolean average) {
        return crossEntropy.computeScore(smooth(labels), preOutput, activationFn, mask, average);
    }

    @Override
    public INDArray computeScoreArray(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return crossEntropy.computeScoreArray(smooth(labels), preOutput, activationFn, mask);
    }

    @Override
    public INDArray computeGradient(INDArray labels, INDArray preOutput, IActivation activationFn, INDArray mask) {
        return crossEntropy.computeGradient(smooth(labels), preOutput, activationFn, mask);
    }

    @Override
    public Pair<Double, INDArray> computeGradientAndScore(INDArray labels, INDArray preOutput,
            IActivation activationFn, INDArray mask, boolean average) {
        INDArray smoothed = smooth(labels);
        return new Pair<>(crossEntropy.computeScore(smoothed, preOutput, activationFn, mask, average),
                crossEntropy.computeGradient(smoothed, preOutput, activationFn, mask));
    }

    @Override
    public String name() {
        return "LabelSmoothingCrossEntropy";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSmoothingCrossEntropy other && Double.compare(other.smoothing, smoothing) == 0
                && Double.compare(other.weight, weight) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(smoothing, weight);
    }

    @Override
    public String toString() {
        return name() + "(smoothing=" + smoothing + ", weight=" + weight + ")";
    }
}
