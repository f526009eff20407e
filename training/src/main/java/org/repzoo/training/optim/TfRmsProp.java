package org.repzoo.training.optim;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
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
public final class TfRmsProp extends ScheduledUpdater {

    /** The mean square (starting at 1, TensorFlow's slot initialiser for "rms") and the momentum accumulator. */
    private static final List<Slot> STATE = List.of(new Slot("MS", 1), new Slot("MOM", 0));

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
        super(learningRate, learningRateSchedule);
        if (!(decay >= 0 && decay < 1) || !(momentum >= 0 && momentum < 1) || !(epsilon > 0)) {
            throw new IllegalArgumentException("need 0 <= decay, momentum < 1 and epsilon > 0; got decay " + decay
                    + ", momentum " + momentum + ", epsilon " + epsilon);
        }
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

    @Override
    List<Slot> stateLayout() {
        return STATE;
    }

    @Override
    List<Map.Entry<String, Double>> hyperParameters() {
        return List.of(Map.entry("decay", decay), Map.entry("momentum", momentum), Map.entry("epsilon", epsilon));
    }

    @Override
    void update(List<INDArray> state, INDArray gradient, double learningRate) {
        INDArray meanSquare = state.get(0);
        INDArray accumulated = state.get(1);
        INDArray g = gradient.reshape(meanSquare.shape());
        meanSquare.muli(decay).addi(g.mul(g).muli(1 - decay));
        INDArray step = g.div(Transforms.sqrt(meanSquare.add(epsilon), false)).muli(learningRate);
        accumulated.muli(momentum).addi(step);
        gradient.assign(accumulated.reshape(gradient.shape()));
    }
}
