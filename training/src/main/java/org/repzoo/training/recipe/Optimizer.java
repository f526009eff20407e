package org.repzoo.training.recipe;

import java.util.Objects;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.schedule.ISchedule;
import org.repzoo.training.optim.SgdMomentum;
import org.repzoo.training.optim.TfRmsProp;

/**
 * The optimizer of a recipe. {@code momentum} is the heavy-ball momentum of SGD, or RMSProp's momentum;
 * {@code decay} and {@code epsilon} are RMSProp's and ignored by SGD.
 */
public record Optimizer(Kind kind, double momentum, double decay, double epsilon) {

    /** The optimizers the papers used. */
    public enum Kind { SGD_MOMENTUM, RMSPROP }

    public Optimizer {
        Objects.requireNonNull(kind, "optimizer kind");
    }

    public static Optimizer sgdMomentum(double momentum) {
        return new Optimizer(Kind.SGD_MOMENTUM, momentum, 0, 0);
    }

    public static Optimizer rmsProp(double decay, double momentum, double epsilon) {
        return new Optimizer(Kind.RMSPROP, momentum, decay, epsilon);
    }

    /** The DL4J updater following the given learning-rate schedule. */
    IUpdater updater(ISchedule learningRate) {
        return switch (kind) {
            case SGD_MOMENTUM -> new SgdMomentum(learningRate, momentum);
            case RMSPROP -> new TfRmsProp(learningRate, decay, momentum, epsilon);
        };
    }
}
