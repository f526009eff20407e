package org.repzoo.training.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.stream.Stream;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.params.BatchNormalizationParamInitializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.ModelEntry;

/**
 * Every registered model with a paper recipe takes it (configuration only, no weights allocated): each trainable
 * parameter gets the recipe's optimizer, each kernel the recipe's decay, BatchNorm none, biases as the recipe's scope
 * says. A layer type the applier does not know would fail here rather than train without its settings.
 */
class RegistryRecipesTest {

    static Stream<String> models() {
        return Zoo.registry().stream().filter(entry -> entry.family() != Family.NIN).map(ModelEntry::name);
    }

    private static double l2(List<Regularization> regularization) {
        if (regularization == null || regularization.isEmpty()) {
            return 0;
        }
        return ((L2Regularization) regularization.get(0)).getL2().valueAt(0, 0);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void recipeReachesEveryParameter(String name) {
        ModelEntry entry = Zoo.registry().get(name);
        Recipe recipe = Recipes.forFamily(entry.family());
        ComputationGraphConfiguration conf = RecipeApplier.configure(entry.configure(), recipe, 100);
        IUpdater expectedUpdater = recipe.optimizer().updater(LearningRates.of(recipe, 100));
        int checked = 0;
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (!(vertex instanceof LayerVertex layerVertex)) {
                continue;
            }
            Layer layer = layerVertex.getLayerConf().getLayer();
            for (String param : layer.initializer().paramKeys(layer)) {
                String where = name + " " + layer.getLayerName() + "." + param;
                IUpdater updater = layer.getUpdaterByParam(param);
                assertNotNull(updater, where);
                boolean runningStatistic = layer instanceof BatchNormalization
                        && (param.equals(BatchNormalizationParamInitializer.GLOBAL_MEAN)
                        || param.equals(BatchNormalizationParamInitializer.GLOBAL_VAR));
                if (runningStatistic) {
                    assertSame(NoOp.class, updater.getClass(), where); // updated by the forward pass, not SGD
                } else {
                    assertEquals(expectedUpdater, updater, where);
                }
                double expectedDecay;
                if (layer instanceof BatchNormalization) {
                    expectedDecay = 0;
                } else if (layer.initializer().isWeightParam(layer, param)) {
                    expectedDecay = recipe.weightDecay();
                } else {
                    expectedDecay = recipe.decayScope() == Recipe.DecayScope.WEIGHTS_AND_BIASES ? recipe.weightDecay() : 0;
                }
                assertEquals(expectedDecay, l2(layer.getRegularizationByParam(param)), where);
                checked++;
            }
        }
        assertTrue(checked > 0, name);
    }
}
