package org.repzoo.training.optim;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * RMSProp as TensorFlow's {@code tf.train.RMSPropOptimizer} computes it, which trained Inception v3 (Szegedy et al.
 * 2016, section 8: "RMSProp with decay of 0.9 and ε = 1.0"):
 * {@code ms = decay * ms + (1 - decay) * g²; mom = momentum * mom + lr * g / sqrt(ms + ε); p -= mom}, with
 * {@code ms} starting at 1 and {@code mom} at 0.
 *
 * <p>DL4J's {@code RmsProp} starts the mean square at ε and has no momentum; with the paper's large ε = 1.0 the
 * placement of ε and the start value change the steps, so the paper's numbers need this form.
 */
public final class TfRmsProp implements IUpdater {

    @JsonProperty
    private double learningRate;
    @JsonProperty
    private ISchedule learningRateSchedule;
    @JsonProperty
    private final double decay;
    @JsonProperty
    private final double momentum;
    @JsonProperty
    private final double epsilon;

    public TfRmsProp(ISchedule learningRateSchedule, double decay, double momentum, double epsilon) {
        this(Double.NaN, learningRateSchedule, decay, momentum, epsilon);
    }

    public TfRmsProp(double learningRate, double decay, double momentum, double epsilon) {
        this(learningRate, null, decay, momentum, epsilon);
    }

    @JsonCreator
    TfRmsProp(@JsonProperty("learningRate") double learningRate,
              @JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
              @JsonProperty("decay") double decay,
              @JsonProperty("momentum") double momentum,
              @JsonProperty("epsilon") double epsilon) {
        if (!(decay >= 0 && decay < 1) || !(momentum >= 0 && momentum < 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("need 0 <= decay, momentum < 1 and epsilon > 0; got decay " + decay
                    + ", momentum " + momentum + ", epsilon " + epsilon);
        }
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
        this.decay = decay;
        this.momentum = momentum;
        this.epsilon = epsilon;
    }

    public double decay() {
        return decay;
    }

    public double momentum() {
        return momentum;
    }

    public double epsilon() {
        return epsilon;
    }

    public ISchedule learningRateSchedule() {
        return learningRateSchedule;
    }

    /** The mean square and the momentum accumulator, one of each per parameter. */
    @Override
    public long stateSize(long numParams) {
        return 2 * numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        INDArray flat = viewArray.reshape(viewArray.length());
        long n = flat.length() / 2;
        INDArray meanSquare = flat.get(NDArrayIndex.interval(0, n));
        INDArray accumulated = flat.get(NDArrayIndex.interval(n, 2 * n));
        if (initializeViewArray) {
            meanSquare.assign(1); // TensorFlow's slot initialiser for "rms"
            accumulated.assign(0);
        }
        return new Updater(this, meanSquare, accumulated);
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        INDArray meanSquare = StateMaps.require(updaterState, Updater.MEAN_SQUARE);
        INDArray accumulated = StateMaps.require(updaterState, Updater.MOMENTUM);
        if (initializeStateArrays) {
            meanSquare.assign(1);
            accumulated.assign(0);
        }
        return new Updater(this, meanSquare, accumulated);
    }

    @Override
    public TfRmsProp clone() {
        return new TfRmsProp(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(),
                decay, momentum, epsilon);
    }

    @Override
    public double getLearningRate(int iteration, int epoch) {
        return learningRateSchedule != null ? learningRateSchedule.valueAt(iteration, epoch) : learningRate;
    }

    @Override
    public boolean hasLearningRate() {
        return true;
    }

    @Override
    public void setLrAndSchedule(double lr, ISchedule lrSchedule) {
        this.learningRate = lr;
        this.learningRateSchedule = lrSchedule;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TfRmsProp other && Double.compare(other.learningRate, learningRate) == 0
                && Objects.equals(other.learningRateSchedule, learningRateSchedule)
                && Double.compare(other.decay, decay) == 0 && Double.compare(other.momentum, momentum) == 0
                && Double.compare(other.epsilon, epsilon) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, learningRateSchedule, decay, momentum, epsilon);
    }

    @Override
    public String toString() {
        return "TfRmsProp(lr=" + (learningRateSchedule != null ? learningRateSchedule : learningRate) + ", decay="
                + decay + ", momentum=" + momentum + ", epsilon=" + epsilon + ")";
    }

    private static final class Updater implements GradientUpdater<TfRmsProp> {
        static final String MEAN_SQUARE = "MS";
        static final String MOMENTUM = "MOM";

        private final TfRmsProp config;
        private final INDArray meanSquare;
        private final INDArray accumulated;

        Updater(TfRmsProp config, INDArray meanSquare, INDArray accumulated) {
            this.config = config;
            this.meanSquare = meanSquare;
            this.accumulated = accumulated;
        }

        @Override
        public TfRmsProp getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            throw new UnsupportedOperationException("state is bound at instantiation");
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(MEAN_SQUARE, meanSquare, MOMENTUM, accumulated);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            throw new UnsupportedOperationException("state is bound at instantiation");
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.getLearningRate(iteration, epoch);
            INDArray g = gradient.reshape(meanSquare.shape());
            meanSquare.muli(config.decay).addi(g.mul(g).muli(1 - config.decay));
            INDArray step = g.div(Transforms.sqrt(meanSquare.add(config.epsilon), false)).muli(lr);
            accumulated.muli(config.momentum).addi(step);
            gradient.assign(accumulated.reshape(gradient.shape()));
        }
    }
}
