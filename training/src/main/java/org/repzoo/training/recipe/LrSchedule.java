package org.repzoo.training.recipe;

import java.util.List;
import java.util.Objects;

/**
 * How the learning rate moves over training, in epochs.
 * <ul>
 *   <li>{@code CONSTANT}: never changes.</li>
 *   <li>{@code MULTI_STEP}: multiplied by {@code gamma} at each epoch in {@code milestones}.</li>
 *   <li>{@code EXPONENTIAL_STEP}: multiplied by {@code gamma} every {@code stepEpochs} epochs.</li>
 *   <li>{@code COSINE}: cosine annealing to {@code minLearningRate} over all epochs, stepped every iteration.</li>
 *   <li>{@code PLATEAU}: multiplied by {@code gamma} when validation accuracy has not improved for
 *       {@code patience} epochs (driven by the training loop through {@link org.repzoo.training.schedule.PlateauDecay}).</li>
 * </ul>
 */
public record LrSchedule(Kind kind, double gamma, List<Integer> milestones, int stepEpochs, int patience,
                         double minLearningRate) {

    /** The shapes of schedule the papers used. */
    public enum Kind { CONSTANT, MULTI_STEP, EXPONENTIAL_STEP, COSINE, PLATEAU }

    public LrSchedule {
        Objects.requireNonNull(kind, "schedule kind");
        milestones = milestones == null ? List.of() : List.copyOf(milestones);
    }

    public static LrSchedule constant() {
        return new LrSchedule(Kind.CONSTANT, 1, List.of(), 0, 0, 0);
    }

    public static LrSchedule multiStep(double gamma, Integer... milestones) {
        return new LrSchedule(Kind.MULTI_STEP, gamma, List.of(milestones), 0, 0, 0);
    }

    public static LrSchedule everyEpochs(int stepEpochs, double gamma) {
        return new LrSchedule(Kind.EXPONENTIAL_STEP, gamma, List.of(), stepEpochs, 0, 0);
    }

    public static LrSchedule cosine(double minLearningRate) {
        return new LrSchedule(Kind.COSINE, 1, List.of(), 0, 0, minLearningRate);
    }

    public static LrSchedule plateau(double gamma, int patience) {
        return new LrSchedule(Kind.PLATEAU, gamma, List.of(), 0, patience, 0);
    }
}
