package org.repzoo.training.checkpoint;

import java.util.Objects;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.schedule.PlateauDecay;

/**
 * Where a run stands, beside the weights: enough to continue exactly.
 *
 * @param recipe            the recipe the run trains with, overrides included, so a resume continues with the same
 *                          epochs, batch size, averaging and augmentation whatever the command line says
 * @param epoch             the epoch in progress, from 0
 * @param batchInEpoch      batches of that epoch already trained
 * @param iteration         batches trained since the start
 * @param seed              the run's seed (data order and augmentation derive from it)
 * @param dataOrder         the current epoch's example order, stored rather than recomputed so that a change to
 *                          {@link DataOrder} cannot silently change a resumed epoch
 * @param randomRootState   ND4J's generator state (dropout masks, random layers)
 * @param randomNodeState   ND4J's generator state, second word
 * @param averageUpdates    iterations folded into the weight average, or 0 when there is none
 * @param plateau           VGG's plateau rule's position, or null when the schedule is not validation-driven (the
 *                          current rate itself is in the saved configuration: {@code setLearningRate} writes it there)
 */
public record TrainingState(Recipe recipe, int epoch, int batchInEpoch, long iteration, long seed, int[] dataOrder,
                            long randomRootState, long randomNodeState, long averageUpdates,
                            PlateauDecay.Snapshot plateau) {

    public TrainingState {
        Objects.requireNonNull(recipe, "recipe");
        Objects.requireNonNull(dataOrder, "dataOrder");
        if (epoch < 0 || batchInEpoch < 0 || iteration < 0 || averageUpdates < 0) {
            throw new IllegalArgumentException("negative counter in training state");
        }
        dataOrder = dataOrder.clone();
    }

    @Override
    public int[] dataOrder() {
        return dataOrder.clone();
    }
}
