package org.repzoo.training.recipe;

import org.nd4j.linalg.schedule.FixedSchedule;
import org.nd4j.linalg.schedule.ISchedule;
import org.nd4j.linalg.schedule.ScheduleType;
import org.nd4j.linalg.schedule.StepSchedule;
import org.repzoo.training.schedule.CosineAnnealingSchedule;
import org.repzoo.training.schedule.MultiStepSchedule;
import org.repzoo.training.schedule.WarmupSchedule;

/**
 * A recipe's learning rate as a DL4J {@link ISchedule}. Step decays count DL4J's epoch counter (the papers decay at
 * epoch boundaries; the training loop must advance it with {@code incrementEpochCount}); cosine and warm-up count
 * iterations, as RepVGG's and Goyal et al.'s per-iteration schedules do.
 */
public final class LearningRates {

    private LearningRates() {
    }

    public static ISchedule of(Recipe recipe, int iterationsPerEpoch) {
        if (iterationsPerEpoch <= 0) {
            throw new IllegalArgumentException("iterations per epoch must be positive, got " + iterationsPerEpoch);
        }
        double initial = recipe.effectiveLearningRate();
        LrSchedule schedule = recipe.schedule();
        ISchedule base = switch (schedule.kind()) {
            // a plateau decay starts constant; the loop lowers it from validation results (PlateauDecay)
            case CONSTANT, PLATEAU -> new FixedSchedule(initial);
            case MULTI_STEP -> new MultiStepSchedule(ScheduleType.EPOCH, initial, schedule.gamma(),
                    schedule.milestones().stream().mapToInt(Integer::intValue).toArray());
            case EXPONENTIAL_STEP -> new StepSchedule(ScheduleType.EPOCH, initial, schedule.gamma(),
                    schedule.stepEpochs());
            case COSINE -> new CosineAnnealingSchedule(ScheduleType.ITERATION, initial, schedule.minLearningRate(),
                    Math.multiplyExact(recipe.epochs(), iterationsPerEpoch));
        };
        return recipe.warmupEpochs() == 0 ? base
                : new WarmupSchedule(base, Math.multiplyExact(recipe.warmupEpochs(), iterationsPerEpoch));
    }
}
