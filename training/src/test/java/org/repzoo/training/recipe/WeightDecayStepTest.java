package org.repzoo.training.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.Inits;

/**
 * One real DL4J training step under a recipe equals PyTorch's SGD step written out by hand:
 * {@code p -= lr * (g + wd * p)} for decayed parameters and {@code p -= lr * g} for the others (first step: the
 * momentum buffer is the gradient). This checks that DL4J's L2 is PyTorch's {@code weight_decay} and that the
 * no-decay group really skips biases.
 */
class WeightDecayStepTest {

    /** A decay large enough (0.1) that a missing or extra decay term shows far above float rounding. */
    private static void checkFirstStep(Recipe paper, double biasDecayFactor) throws Exception {
        Recipe recipe = RecipeFiles.override(paper, "{\"weightDecay\": 0.1}");
        double biasDecay = biasDecayFactor * recipe.weightDecay();
        GraphScope root = GraphScope.start("dense", InputShape.of(3, 1, 1), 5);
        ComputationGraph plain = new ComputationGraph(root.build(root.logits("fc", GraphScope.INPUT, 2,
                Inits.normal(0.5))));
        plain.init();
        ComputationGraph graph = RecipeApplier.apply(plain, recipe, 10);
        // batch of one: no averaging over examples to account for
        INDArray input = Nd4j.createFromArray(new float[] {0.5f, -1f, 2f}).reshape(1, 3, 1, 1);
        INDArray label = Nd4j.createFromArray(new float[] {0f, 1f}).reshape(1, 2);
        graph.setInputs(input);
        graph.setLabels(label);
        graph.computeGradientAndScore();
        Map<String, INDArray> gradients = Map.of(
                "W", graph.gradient().getGradientFor("fc_W").dup(), "b", graph.gradient().getGradientFor("fc_b").dup());
        Map<String, INDArray> before = Map.of("W", graph.getParam("fc_W").dup(), "b", graph.getParam("fc_b").dup());
        graph.fit(new INDArray[] {input}, new INDArray[] {label});
        double lr = recipe.effectiveLearningRate();
        for (String param : new String[] {"W", "b"}) {
            double decay = param.equals("W") ? recipe.weightDecay() : biasDecay;
            INDArray expected = before.get(param).castTo(DataType.DOUBLE).mul(1 - lr * decay)
                    .subi(gradients.get(param).castTo(DataType.DOUBLE).mul(lr));
            INDArray actual = graph.getParam("fc_" + param).castTo(DataType.DOUBLE);
            assertEquals(0, expected.sub(actual).amaxNumber().doubleValue(), 1e-6, recipe.name() + " " + param);
        }
    }

    @Test
    void repvggDecaysWeightsButNotBiases() throws Exception {
        checkFirstStep(Recipes.REPVGG, 0);
    }

    @Test
    void vggDecaysWeightsAndBiases() throws Exception {
        checkFirstStep(Recipes.VGG, 1);
    }
}
