package org.repzoo.training.average;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A shadow copy of a graph's parameters averaged over the iterations, updated after each one.
 * <ul>
 *   <li>{@link #exponential}: {@code shadow = decay * shadow + (1 - decay) * params}, as timm's {@code ModelEmaV2}
 *       (RepVGG's optional EMA) and TensorFlow's {@code ExponentialMovingAverage}; the first update copies the
 *       parameters so early steps are not pulled towards the initial weights' absence.</li>
 *   <li>{@link #uniform}: the mean of all iterates so far (Polyak &amp; Juditsky 1992), which GoogLeNet's paper cites
 *       for its final model: {@code shadow += (params - shadow) / n}.</li>
 * </ul>
 * DL4J stores BatchNorm's running mean and variance among the parameters, so they are averaged too (timm averages
 * buffers as well).
 */
public final class WeightAverage {

    /** How the shadow follows the parameters. */
    public enum Kind { EXPONENTIAL, UNIFORM }

    private final Kind kind;
    private final double decay;
    private INDArray shadow;
    private long updates;

    private WeightAverage(Kind kind, double decay) {
        this.kind = kind;
        this.decay = decay;
    }

    public static WeightAverage exponential(double decay) {
        if (!(decay > 0 && decay < 1)) {
            throw new IllegalArgumentException("EMA decay must be in (0, 1), got " + decay);
        }
        return new WeightAverage(Kind.EXPONENTIAL, decay);
    }

    public static WeightAverage uniform() {
        return new WeightAverage(Kind.UNIFORM, Double.NaN);
    }

    /** A saved average (from a checkpoint) continuing where it stopped. */
    public static WeightAverage restore(Kind kind, double decay, INDArray shadow, long updates) {
        WeightAverage average = kind == Kind.UNIFORM ? uniform() : exponential(decay);
        average.shadow = shadow.dup();
        average.updates = updates;
        return average;
    }

    /** Folds the graph's current parameters into the average; call after each iteration. */
    public void update(ComputationGraph graph) {
        INDArray params = graph.params();
        updates++;
        if (shadow == null) {
            shadow = params.dup();
            return;
        }
        if (shadow.length() != params.length()) {
            throw new IllegalStateException("the average holds " + shadow.length() + " values but the graph has "
                    + params.length() + " parameters");
        }
        double keep = kind == Kind.EXPONENTIAL ? decay : 1.0 - 1.0 / updates;
        shadow.muli(keep).addi(params.mul(1.0 - keep));
    }

    /** Copies the averaged parameters into a graph of the same architecture (for evaluation or export). */
    public void copyTo(ComputationGraph graph) {
        if (shadow == null) {
            throw new IllegalStateException("no parameters averaged yet");
        }
        graph.setParams(shadow);
    }

    public Kind kind() {
        return kind;
    }

    public double decay() {
        return decay;
    }

    public long updates() {
        return updates;
    }

    /** The averaged parameters (a live view; dup before keeping), or null before the first update. */
    public INDArray shadow() {
        return shadow;
    }
}
