package org.repzoo.training.optim;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
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
public final class SgdMomentum extends ScheduledUpdater {

    /** The velocity, one per parameter, starting at 0 as PyTorch's {@code momentum_buffer} (first step: v = g). */
    private static final List<Slot> STATE = List.of(new Slot("V", 0));

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
        super(learningRate, learningRateSchedule);
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        this.momentum = momentum;
    }

    public double momentum() {
        return momentum;
    }

    @Override
    List<Slot> stateLayout() {
        return STATE;
    }

    @Override
    List<Map.Entry<String, Double>> hyperParameters() {
        return List.of(Map.entry("momentum", momentum));
    }

    @Override
    void update(List<INDArray> state, INDArray gradient, double learningRate) {
        INDArray velocity = state.get(0);
        velocity.muli(momentum).addi(gradient.reshape(velocity.shape()));
        // DL4J subtracts what the gradient array holds afterwards
        gradient.assign(velocity.mul(learningRate).reshape(gradient.shape()));
    }
}
