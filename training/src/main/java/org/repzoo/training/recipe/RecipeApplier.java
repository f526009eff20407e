package org.repzoo.training.recipe;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.LossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.schedule.ISchedule;
import org.repzoo.training.loss.LabelSmoothingCrossEntropy;
import org.repzoo.training.regularization.EquivalentKernelL2;
import org.repzoo.zoo.core.Graphs;
import org.repzoo.zoo.core.LogitsCrossEntropy;

/**
 * Puts a recipe on a built graph: returns a new graph with the same weights whose every layer has the recipe's
 * updater and learning-rate schedule, L2 weight decay on weights (and on biases unless the recipe excludes them; never
 * on BatchNorm), gradient clipping, and losses with the recipe's label smoothing and auxiliary weights. The input
 * graph is not changed. Architecture code sets none of these; this is the one place that does.
 *
 * <p>The first network output is the main classifier; any further outputs are auxiliary heads (GoogLeNet, Inception
 * v3), whose losses get {@link Recipe#auxLossWeight()}.
 */
public final class RecipeApplier {

    private RecipeApplier() {
    }

    public static ComputationGraph apply(ComputationGraph graph, Recipe recipe, int iterationsPerEpoch) {
        if (graph.params() == null) {
            throw new IllegalArgumentException("initialise the graph before applying a recipe");
        }
        ComputationGraphConfiguration conf = configure(graph.getConfiguration(), recipe, iterationsPerEpoch);
        return Graphs.withParameters(conf, graph.params().dup());
    }

    /** A copy of the configuration with the recipe applied. */
    public static ComputationGraphConfiguration configure(ComputationGraphConfiguration source, Recipe recipe,
                                                          int iterationsPerEpoch) {
        ComputationGraphConfiguration conf = source.clone();
        ISchedule learningRate = LearningRates.of(recipe, iterationsPerEpoch);
        IUpdater updater = recipe.optimizer().updater(learningRate);
        List<String> outputs = conf.getNetworkOutputs();
        for (Map.Entry<String, GraphVertex> vertex : conf.getVertices().entrySet()) {
            if (!(vertex.getValue() instanceof LayerVertex layerVertex)) {
                continue;
            }
            Layer layer = layerVertex.getLayerConf().getLayer();
            if (layer instanceof BaseLayer base) {
                configureLayer(vertex.getKey(), base, recipe, updater);
            } else if (layer.initializer().numParams(layer) > 0) {
                throw new IllegalStateException(vertex.getKey() + " (" + layer.getClass().getSimpleName()
                        + ") has parameters but no updater settings this applier knows how to set");
            }
            int outputIndex = outputs.indexOf(vertex.getKey());
            if (outputIndex >= 0) {
                setLoss(vertex.getKey(), layer, recipe, outputIndex == 0 ? 1.0 : recipe.auxLossWeight());
            }
        }
        return conf;
    }

    private static void configureLayer(String name, BaseLayer layer, Recipe recipe, IUpdater updater) {
        layer.setIUpdater(updater.clone());
        layer.setBiasUpdater(null); // biases follow the weights' updater, as in PyTorch
        List<Regularization> decay = recipe.weightDecay() > 0
                ? List.of(new L2Regularization(recipe.weightDecay())) : List.of();
        if (layer instanceof BatchNormalization
                || (recipe.decayScope() == Recipe.DecayScope.EQUIVALENT_KERNEL && EquivalentKernelL2.isBranchKernel(name))) {
            layer.setRegularization(new ArrayList<>());
            layer.setRegularizationBias(new ArrayList<>());
        } else {
            layer.setRegularization(new ArrayList<>(decay));
            layer.setRegularizationBias(recipe.decayScope() == Recipe.DecayScope.WEIGHTS_AND_BIASES
                    ? new ArrayList<>(decay) : new ArrayList<>());
        }
        if (recipe.gradientClip() > 0) {
            // DL4J has no global-norm clipping; per layer is the closest
            layer.setGradientNormalization(GradientNormalization.ClipL2PerLayer);
            layer.setGradientNormalizationThreshold(recipe.gradientClip());
        } else {
            layer.setGradientNormalization(GradientNormalization.None);
        }
    }

    private static void setLoss(String name, Layer layer, Recipe recipe, double weight) {
        if (!(weight > 0)) {
            throw new IllegalArgumentException("recipe " + recipe.name() + " gives auxiliary losses no weight, but "
                    + name + " is an auxiliary output; set auxLossWeight");
        }
        ILossFunction loss = recipe.labelSmoothing() > 0
                ? new LabelSmoothingCrossEntropy(recipe.labelSmoothing(), weight) : new LogitsCrossEntropy(weight);
        if (layer instanceof BaseOutputLayer output) {
            requireLogits(name, output.getLossFn());
            output.setLossFn(loss);
        } else if (layer instanceof LossLayer lossLayer) {
            requireLogits(name, lossLayer.getLossFn());
            lossLayer.setLossFn(loss);
        } else {
            throw new IllegalStateException("network output " + name + " is not an output layer");
        }
    }

    /** The recipes' losses are on logits: replacing some other loss would change what the graph outputs mean. */
    private static void requireLogits(String name, ILossFunction existing) {
        if (!(existing instanceof LogitsCrossEntropy) && !(existing instanceof LabelSmoothingCrossEntropy)) {
            throw new IllegalStateException(name + " has loss " + existing + "; recipes expect logits outputs"
                    + " (LogitsCrossEntropy)");
        }
    }
}
