package org.repzoo.training.schedule;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * The initial value multiplied by {@code gamma} at each milestone reached, as
 * {@code torch.optim.lr_scheduler.MultiStepLR}: ResNet's "divide by 10" at fixed epochs (torchvision's reference: 30
 * and 60 of 90).
 */
public final class MultiStepSchedule implements ISchedule {

    @JsonProperty
    private final ScheduleType scheduleType;
    @JsonProperty
    private final double initialValue;
    @JsonProperty
    private final double gamma;
    @JsonProperty
    private final int[] milestones;

    @JsonCreator
    public MultiStepSchedule(@JsonProperty("scheduleType") ScheduleType scheduleType,
                             @JsonProperty("initialValue") double initialValue,
                             @JsonProperty("gamma") double gamma,
                             @JsonProperty("milestones") int[] milestones) {
        for (int i = 1; i < milestones.length; i++) {
            if (milestones[i] <= milestones[i - 1]) {
                throw new IllegalArgumentException("milestones must increase: " + Arrays.toString(milestones));
            }
        }
        this.scheduleType = Objects.requireNonNull(scheduleType, "scheduleType");
        this.initialValue = initialValue;
        this.gamma = gamma;
        this.milestones = milestones.clone();
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int t = scheduleType == ScheduleType.ITERATION ? iteration : epoch;
        int reached = 0;
        while (reached < milestones.length && milestones[reached] <= t) {
            reached++;
        }
        return initialValue * Math.pow(gamma, reached);
    }

    @Override
    public ISchedule clone() {
        return this; // immutable
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MultiStepSchedule other && other.scheduleType == scheduleType
                && Double.compare(other.initialValue, initialValue) == 0 && Double.compare(other.gamma, gamma) == 0
                && Arrays.equals(other.milestones, milestones);
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheduleType, initialValue, gamma, Arrays.hashCode(milestones));
    }

    @Override
    public String toString() {
        return initialValue + " x " + gamma + " at " + scheduleType + " " + Arrays.toString(milestones);
    }
}
