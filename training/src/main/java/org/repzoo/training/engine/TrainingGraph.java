package org.repzoo.training.engine;

import java.util.Optional;
import org.deeplearning4j.nn.api.Model;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.BaseTrainingListener;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.compat.TrainingHelpers;
import org.repzoo.training.average.WeightAverage;
import org.repzoo.training.recipe.LrSchedule;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.regularization.EquivalentKernelL2;

/**
 * A graph set up for training as {@link Trainer} sets up a fresh run, for code that runs DL4J's own loop
 * ({@code graph.fit(iterator, epochs)} over {@code org.repzoo.training.iterator.RepZooIterators.training}): the
 * recipe applied ({@link RecipeApplier}), ND4J's generator seeded with the run's seed, RepZoo's batch-norm helper
 * under the batch-norm layers, the equivalent-kernel L2 listener where the recipe asks for it, and the recipe's weight
 * average kept by a listener after every iteration. {@link Trainer} takes the same first steps from here, so the two
 * loops start from the same graph and, fed the same batches, end with the same weights bit for bit.
 *
 * <p>What DL4J's loop does not do: validate after each epoch (so a {@link LrSchedule.Kind#PLATEAU} schedule, which
 * lowers the learning rate when validation accuracy stalls, is refused), checkpoint, or resume.
 */
public final class TrainingGraph {

    /**
     * A graph ready for {@code fit}, and the weight average its listener keeps (empty when the recipe keeps none).
     *
     * @param graph   the recipe-configured copy of the initialised graph; train this one
     * @param average the recipe's weight average, updated after every iteration of {@code graph}
     */
    public record Prepared(ComputationGraph graph, Optional<WeightAverage> average) {

        /**
         * The model a run ends with, as {@link Trainer} ends: the weight average copied into {@link #graph} where the
         * recipe keeps one and it has seen an iteration, else the graph's own last weights.
         */
        public ComputationGraph finalModel() {
            average.filter(a -> a.updates() > 0).ifPresent(a -> a.copyTo(graph));
            return graph;
        }
    }

    private TrainingGraph() {
    }

    /**
     * {@code initialised} (freshly initialised; not changed) with {@code recipe} applied, set up for
     * {@code graph.fit(iterator)}.
     *
     * @param iterationsPerEpoch batches per epoch, as the training iterator yields them (its
     *                           {@code batchesPerEpoch()}): the learning-rate schedule counts iterations
     * @param seed               the run's seed, the one the training iterator was given
     */
    public static Prepared forFit(ComputationGraph initialised, Recipe recipe, int iterationsPerEpoch, long seed) {
        if (recipe.schedule().kind() == LrSchedule.Kind.PLATEAU) {
            throw new IllegalArgumentException("recipe " + recipe.name() + " lowers its learning rate when validation "
                    + "accuracy stalls (schedule PLATEAU), which graph.fit(iterator) does not measure: train it with "
                    + "the Trainer, or give the recipe a schedule of its own");
        }
        ComputationGraph graph = start(initialised, recipe, iterationsPerEpoch, seed);
        equip(graph, recipe);
        Optional<WeightAverage> average = recipe.averaging().create();
        average.ifPresent(a -> graph.addListeners(new AverageAfterIteration(a)));
        return new Prepared(graph, average);
    }

    /** The first steps of a fresh run: the recipe's copy of the graph, then ND4J's generator seeded. */
    static ComputationGraph start(ComputationGraph initialised, Recipe recipe, int iterationsPerEpoch, long seed) {
        ComputationGraph graph = RecipeApplier.apply(initialised, recipe, iterationsPerEpoch);
        Nd4j.getRandom().setSeed(seed);
        return graph;
    }

    /**
     * What a graph carries while it trains, fresh or resumed: the layer helpers of batch norm and convolution (see
     * {@link TrainingHelpers}) and the equivalent-kernel L2 listener where the recipe decays that way.
     */
    static void equip(ComputationGraph graph, Recipe recipe) {
        TrainingHelpers.install(graph);
        if (kernelL2(recipe)) {
            graph.addListeners(new EquivalentKernelL2(graph, recipe.weightDecay()));
        }
    }

    static boolean kernelL2(Recipe recipe) {
        return recipe.decayScope() == Recipe.DecayScope.EQUIVALENT_KERNEL && recipe.weightDecay() > 0;
    }

    /**
     * Folds the weights into the average once an iteration's update is applied: DL4J calls {@code iterationDone}
     * after the step (batch-norm statistics included), where {@link Trainer} updates it after {@code fit} returns.
     */
    private static final class AverageAfterIteration extends BaseTrainingListener {
        private final WeightAverage average;

        AverageAfterIteration(WeightAverage average) {
            this.average = average;
        }

        @Override
        public void iterationDone(Model model, int iteration, int epoch) {
            average.update((ComputationGraph) model);
        }
    }
}
