package org.repzoo.training.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Optional;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.training.recipe.Recipe;
import org.repzoo.training.recipe.RecipeApplier;
import org.repzoo.training.recipe.Recipes;
import org.repzoo.training.recipe.TinyGraphs;
import org.repzoo.training.recipe.TinyGraphs.AuxHead;
import org.repzoo.training.schedule.PlateauDecay;

/**
 * VGG's validation-driven rate: lowered through {@code setLearningRate} on the momentum updater, it is in effect,
 * survives a checkpoint together with the plateau rule's position, and the resumed step equals the original one.
 */
class PlateauResumeTest {

    @TempDir
    Path dir;

    @Test
    void loweredRateAndPlateauPositionSurviveACheckpoint() throws Exception {
        ComputationGraph plain = new ComputationGraph(TinyGraphs.convBnFc(3, AuxHead.NONE));
        plain.init();
        Recipe vgg = Recipes.VGG.withBatchSize(4);
        ComputationGraph graph = RecipeApplier.apply(plain, vgg, 6);
        PlateauDecay plateau = new PlateauDecay(vgg.effectiveLearningRate(), vgg.schedule().gamma(),
                vgg.schedule().patience(), 0);
        Nd4j.getRandom().setSeed(1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 2, 6, 6);
        INDArray y = Nd4j.zeros(DataType.FLOAT, 4, 3);
        for (int i = 0; i < 4; i++) {
            y.putScalar(i, i % 3, 1);
        }
        graph.fit(new INDArray[] {x}, new INDArray[] {y});
        assertEquals(0.01, plateau.onValidation(0.5), 1e-15);
        assertEquals(0.001, plateau.onValidation(0.4), 1e-15); // patience 1: one epoch without improvement
        graph.setLearningRate(plateau.learningRate());
        assertEquals(0.001, graph.getLearningRate(TinyGraphs.FC), 1e-15);
        assertEquals(0.001, graph.getLearningRate(TinyGraphs.CONV), 1e-15);

        Path checkpoint = dir.resolve("vgg.zip");
        TrainingCheckpoints.save(checkpoint, graph, TrainingCheckpoints.capture(vgg, 1, 0, 1, 7,
                DataOrder.permutation(7, 1, 4), Optional.empty(), Optional.of(plateau)), Optional.empty());
        graph.fit(new INDArray[] {x}, new INDArray[] {y});
        double next = plateau.onValidation(0.45);

        TrainingCheckpoints.Resumed resumed = TrainingCheckpoints.load(checkpoint, graph.getConfiguration());
        assertEquals(0.001, resumed.graph().getLearningRate(TinyGraphs.FC), 1e-15);
        PlateauDecay restored = new PlateauDecay(vgg.effectiveLearningRate(), vgg.schedule().gamma(),
                vgg.schedule().patience(), 0);
        restored.restore(resumed.state().plateau());
        assertEquals(next, restored.onValidation(0.45), 0);
        assertEquals(1e-4, next, 1e-15);
        resumed.graph().fit(new INDArray[] {x}, new INDArray[] {y});
        assertArrayEquals(graph.params().toFloatVector(), resumed.graph().params().toFloatVector());
    }
}
