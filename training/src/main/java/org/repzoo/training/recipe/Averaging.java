package org.repzoo.training.recipe;

import java.util.Objects;
import java.util.Optional;
import org.repzoo.training.average.WeightAverage;

/** Whether the final model is an average of the weights: none, an EMA with {@code decay}, or Polyak's uniform mean. */
public record Averaging(Kind kind, double decay) {

    /** The averaging kinds. */
    public enum Kind { NONE, EXPONENTIAL, UNIFORM }

    public Averaging {
        Objects.requireNonNull(kind, "averaging kind");
    }

    public static Averaging none() {
        return new Averaging(Kind.NONE, 0);
    }

    public static Averaging exponential(double decay) {
        return new Averaging(Kind.EXPONENTIAL, decay);
    }

    public static Averaging uniform() {
        return new Averaging(Kind.UNIFORM, 0);
    }

    /** A fresh average for a training run, or empty when the recipe averages nothing. */
    public Optional<WeightAverage> create() {
        return switch (kind) {
            case NONE -> Optional.empty();
            case EXPONENTIAL -> Optional.of(WeightAverage.exponential(decay));
            case UNIFORM -> Optional.of(WeightAverage.uniform());
        };
    }
}
