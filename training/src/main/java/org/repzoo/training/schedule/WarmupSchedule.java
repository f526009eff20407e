package org.repzoo.training.schedule;

import java.util.Objects;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.shade.jackson.annotation.JsonCreator;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Gradual linear warm-up (Goyal et al. 2017, "Accurate, Large Minibatch SGD", section 2.2): during the first
 * {@code warmupIterations} iterations the wrapped schedule's value is scaled by {@code (iteration + 1) / warmupIterations},
 * then it is the wrapped value unchanged. The ramp starts at one step's worth rather than 0 so no iteration is
 * wasted at learning rate 0; the wrapped schedule runs as if there were no warm-up (it is not shifted).
 */
public final class WarmupSchedule implements ISchedule {

    @JsonProperty
    private final ISchedule after;
    @JsonProperty
    private final int warmupIterations;

    @JsonCreator
    public WarmupSchedule(@JsonProperty("after") ISchedule after,
                          @JsonProperty("warmupIterations") int warmupIterations) {
        if (warmupIterations <= 0) {
            throw new IllegalArgumentException("warm-up needs at least one iteration, got " + warmupIterations);
        }
        this.after = Objects.requireNonNull(after, "after");
        this.warmupIterations = warmupIterations;
    }

    @Override
    public double valueAt(int iteration, int epoch) {
        double value = after.valueAt(iteration, epoch);
        return iteration < warmupIterations ? value * (iteration + 1) / warmupIterations : value;
    }

    @Override
    public ISchedule clone() {
        return new WarmupSchedule(after.clone(), warmupIterations);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WarmupSchedule other && other.warmupIterations == warmupIterations
                && other.after.equals(after);
    }

    @Override
    public int hashCode() {
        return Objects.hash(after, warmupIterations);
    }

    @Override
    public String toString() {
        return "warmup(" + warmupIterations + " iterations, then " + after + ")";
    }
}
