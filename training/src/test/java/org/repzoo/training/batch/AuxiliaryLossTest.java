package org.repzoo.training.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.training.recipe.TinyGraphs;
import org.repzoo.training.recipe.TinyGraphs.AuxHead;

/**
 * Under GoogLeNet's recipe a graph with an auxiliary head trains on main loss + 0.3 x auxiliary loss (Szegedy et al.
 * 2015, section 5): DL4J's total score is checked against the two cross-entropies computed here from the logits.
 */
class AuxiliaryLossTest {

    /** Mean over the batch of -log softmax(logits)[label]. */
    private static double crossEntropy(INDArray logits, INDArray labels) {
        INDArray z = logits.castTo(DataType.DOUBLE);
        INDArray max = z.max(1).reshape(z.size(0), 1);
        INDArray shifted = z.subColumnVector(max);
        INDArray logSum = Transforms.log(Transforms.exp(shifted, true).sum(1), false).reshape(z.size(0), 1);
        INDArray logSoftmax = shifted.subColumnVector(logSum);
        return -logSoftmax.mul(labels.castTo(DataType.DOUBLE)).sumNumber().doubleValue() / z.size(0);
    }

    @Test
    void totalScoreIsMainPlusPointThreeTimesAuxiliary() {
        ComputationGraph plain = new ComputationGraph(TinyGraphs.convBnFc(3, AuxHead.ONE));
        plain.init();
        ComputationGraph graph = RecipeApplier.apply(plain, Recipes.GOOGLENET, 10);
        Nd4j.getRandom().setSeed(5);
        INDArray features = Nd4j.rand(DataType.FLOAT, 4, 2, 6, 6);
        INDArray labels = Nd4j.zeros(DataType.FLOAT, 4, 3);
        for (int i = 0; i < 4; i++) {
            labels.putScalar(i, i % 3, 1);
        }
        MultiDataSet batch = OutputBatches.of(graph, features, labels);
        assertEquals(2, batch.getLabels().length);

        INDArray[] logits = graph.output(false, features);
        // DL4J's score also holds the L2 penalty 0.5 * wd * |p|^2 of every decayed parameter (not BatchNorm's)
        double penalty = 0;
        for (String param : new String[] {"features.0_W", "features.0_b", "fc_W", "fc_b", "aux.fc_W", "aux.fc_b"}) {
            INDArray p = graph.getParam(param).castTo(DataType.DOUBLE);
            penalty += 0.5 * Recipes.GOOGLENET.weightDecay() * p.mul(p).sumNumber().doubleValue();
        }
        double expected = crossEntropy(logits[0], labels) + 0.3 * crossEntropy(logits[1], labels) + penalty;
        // training=false keeps BatchNorm in inference mode, as output(false, ...) was
        assertEquals(expected, graph.score(batch, false), 1e-6);
    }
}
