package org.repzoo.training.schedule;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Cosine annealing without restarts (Loshchilov &amp; Hutter 2017), as {@code torch.optim.lr_scheduler.CosineAnnealingLR}:
 * {@code min + (initial - min) * (1 + cos(pi * t / period)) / 2}, then {@code min} after the period. RepVGG's
 * reference script steps it every iteration over {@code epochs * iterationsPerEpoch}.
 */
public final class CosineAnnealingSchedule implements ISchedule {

    @JsonProperty
    private final ScheduleType scheduleType;
    @JsonProperty
    private final double initialValue;
    @JsonProperty
    private final double minValue;
    @JsonProperty
    private final int period;

    @JsonCreator
    public CosineAnnealingSchedule(@JsonProperty("scheduleType") ScheduleType scheduleType,
                                   @JsonProperty("initialValue") double initialValue,
                                   @JsonProperty("minValue") double minValue,
                                   @JsonProperty("period") int period) {
        if (period <= 0) {
            throw new IllegalArgumentException("cosine period must be positive, got " + period);
        }
        this.scheduleType = Objects.requireNonNull(scheduleType, "scheduleType");
        this.initialValue = initialValue;
        this.minValue = minValue;
        this.period = period;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        int t = Math.min(scheduleType == ScheduleType.ITERATION ? iteration : epoch, period);
        return minValue + (initialValue - minValue) * (1 + Math.cos(Math.PI * t / period)) / 2;
    }

    @Override
    public ISchedule clone() {
        return this; // immutable
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CosineAnnealingSchedule other && other.scheduleType == scheduleType
                && Double.compare(other.initialValue, initialValue) == 0
                && Double.compare(other.minValue, minValue) == 0 && other.period == period;
    }

    @Override
    public int hashCode() {
        return Objects.hash(scheduleType, initialValue, minValue, period);
    }

    @Override
    public String toString() {
        return "cosine(" + initialValue + " -> " + minValue + " over " + period + " " + scheduleType + ")";
    }
}
