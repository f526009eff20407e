package org.repzoo.training.optim;

import java.util.Map;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.GradientUpdater;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Stochastic gradient descent with classical (heavy-ball) momentum, exactly as {@code torch.optim.SGD(momentum=m)}
 * computes it: {@code v = m * v + g; p -= lr * v}. Every recipe in the papers (VGG, GoogLeNet, ResNet, RepVGG) uses
 * it; DL4J offers only Nesterov momentum ({@code Nesterovs}), a different update.
 *
 * <p>PyTorch's form puts the learning rate outside the velocity (Caffe's puts it inside); the two agree while the
 * learning rate is constant, and PyTorch's is what the RepVGG and torchvision reference scripts ran. Weight decay is
 * not part of the updater: DL4J's L2 regularisation adds {@code wd * p} to the gradient before the updater, which is
 * PyTorch's {@code weight_decay}.
 */
public final class SgdMomentum implements IUpdater {

    @JsonProperty
    private double learningRate;
    @JsonProperty
    private ISchedule learningRateSchedule;
    @JsonProperty
    private final double momentum;

    public SgdMomentum(double learningRate, double momentum) {
        this(learningRate, null, momentum);
    }

    public SgdMomentum(ISchedule learningRateSchedule, double momentum) {
        this(Double.NaN, learningRateSchedule, momentum);
    }

    @JsonCreator
    SgdMomentum(@JsonProperty("learningRate") double learningRate,
                @JsonProperty("learningRateSchedule") ISchedule learningRateSchedule,
                @JsonProperty("momentum") double momentum) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        this.learningRate = learningRate;
        this.learningRateSchedule = learningRateSchedule;
        this.momentum = momentum;
    }

    public double momentum() {
        return momentum;
    }

    public ISchedule learningRateSchedule() {
        return learningRateSchedule;
    }

    @Override
    public long stateSize(long numParams) {
        return numParams;
    }

    @Override
    public GradientUpdater instantiate(INDArray viewArray, boolean initializeViewArray) {
        INDArray velocity = viewArray.reshape(viewArray.length());
        if (initializeViewArray) {
            velocity.assign(0);
        }
        return new Updater(this, velocity);
    }

    @Override
    public GradientUpdater instantiate(Map<String, INDArray> updaterState, boolean initializeStateArrays) {
        INDArray velocity = StateMaps.require(updaterState, Updater.VELOCITY);
        if (initializeStateArrays) {
            velocity.assign(0);
        }
        return new Updater(this, velocity);
    }

    @Override
    public SgdMomentum clone() {
        return new SgdMomentum(learningRate, learningRateSchedule == null ? null : learningRateSchedule.clone(), momentum);
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

    /** DL4J joins layers whose updaters are equal into one block, so equality must be by value. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SgdMomentum other && Double.compare(other.learningRate, learningRate) == 0
                && Double.compare(other.momentum, momentum) == 0
                && Objects.equals(other.learningRateSchedule, learningRateSchedule);
    }

    @Override
    public int hashCode() {
        return Objects.hash(learningRate, learningRateSchedule, momentum);
    }

    @Override
    public String toString() {
        return "SgdMomentum(lr=" + (learningRateSchedule != null ? learningRateSchedule : learningRate)
                + ", momentum=" + momentum + ")";
    }

    private static final class Updater implements GradientUpdater<SgdMomentum> {
        static final String VELOCITY = "V";

        private final SgdMomentum config;
        private final INDArray velocity;

        Updater(SgdMomentum config, INDArray velocity) {
            this.config = config;
            this.velocity = velocity;
        }

        @Override
        public SgdMomentum getConfig() {
            return config;
        }

        @Override
        public void setState(Map<String, INDArray> stateMap, boolean initialize) {
            throw new UnsupportedOperationException("state is bound at instantiation");
        }

        @Override
        public Map<String, INDArray> getState() {
            return Map.of(VELOCITY, velocity);
        }

        @Override
        public void setStateViewArray(INDArray viewArray, long[] gradientShape, char gradientOrder, boolean initialize) {
            throw new UnsupportedOperationException("state is bound at instantiation");
        }

        @Override
        public void applyUpdater(INDArray gradient, int iteration, int epoch) {
            double lr = config.getLearningRate(iteration, epoch);
            velocity.muli(config.momentum).addi(gradient.reshape(velocity.shape()));
            // DL4J subtracts what the gradient array holds afterwards
            gradient.assign(velocity.mul(lr).reshape(gradient.shape()));
        }
    }
}
