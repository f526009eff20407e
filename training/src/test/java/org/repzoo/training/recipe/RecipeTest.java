package org.repzoo.training.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.repzoo.training.recipe.Augmentation.Colour;
import org.repzoo.training.recipe.Recipe.DecayScope;
import org.repzoo.training.recipe.Recipe.LrScaling;

/** The base recipe and its withers: each wither changes its own JSON keys and nothing else. */
class RecipeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Recipe BASE = Recipe.base("test", "a hand-written case");

    /** The top-level keys whose JSON differs between the two recipes. */
    private static Set<String> changedKeys(Recipe before, Recipe after) throws Exception {
        JsonNode left = JSON.readTree(RecipeFiles.toJson(before));
        JsonNode right = JSON.readTree(RecipeFiles.toJson(after));
        Set<String> changed = new TreeSet<>();
        for (Iterator<String> keys = left.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!left.get(key).equals(right.get(key))) {
                changed.add(key);
            }
        }
        return changed;
    }

    private static void assertChanges(UnaryOperator<Recipe> wither, String... keys) throws Exception {
        assertEquals(new TreeSet<>(Set.of(keys)), changedKeys(BASE, wither.apply(BASE)));
    }

    @Test
    void theBaseHasEveryOptionalPartOff() {
        assertEquals(Optimizer.sgdMomentum(0), BASE.optimizer());
        assertEquals(LrSchedule.constant(), BASE.schedule());
        assertEquals(0, BASE.warmupEpochs());
        assertEquals(0, BASE.weightDecay());
        assertEquals(0, BASE.labelSmoothing());
        assertEquals(0, BASE.auxLossWeight());
        assertEquals(Averaging.none(), BASE.averaging());
        assertEquals(0, BASE.gradientClip());
        assertEquals(0, BASE.dropout());
        assertEquals(Colour.NONE, BASE.augmentation().colour());
        assertEquals(BASE.learningRate(), BASE.effectiveLearningRate());
    }

    @Test
    void eachWitherChangesOnlyItsOwnKeys() throws Exception {
        assertChanges(r -> r.withOptimizer(Optimizer.rmsProp(0.9, 0.9, 1.0)), "optimizer");
        assertChanges(r -> r.withLearningRate(0.045, 32, LrScaling.LINEAR),
                "learningRate", "referenceBatchSize", "lrScaling");
        assertChanges(r -> r.withBatchSize(64), "batchSize");
        assertChanges(r -> r.withEpochs(10), "epochs");
        assertChanges(r -> r.withSchedule(LrSchedule.cosine(0)), "schedule");
        assertChanges(r -> r.withWarmupEpochs(5), "warmupEpochs");
        assertChanges(r -> r.withWeightDecay(1e-4, DecayScope.WEIGHTS_ONLY), "weightDecay", "decayScope");
        assertChanges(r -> r.withLabelSmoothing(0.1), "labelSmoothing");
        assertChanges(r -> r.withAuxLossWeight(0.3), "auxLossWeight");
        assertChanges(r -> r.withAveraging(Averaging.exponential(0.9999)), "averaging");
        assertChanges(r -> r.withGradientClip(2.0), "gradientClip");
        assertChanges(r -> r.withDropout(0.5), "dropout");
        assertChanges(r -> r.withAugmentation(Augmentation.scaleJitter(224, 256, 512, Colour.PCA_LIGHTING)),
                "augmentation");
    }

    @Test
    void shorteningBelowTheWarmupCutsTheWarmup() {
        Recipe warm = BASE.withEpochs(10).withWarmupEpochs(5);
        assertEquals(3, warm.withEpochs(3).warmupEpochs());
        assertEquals(5, warm.withEpochs(20).warmupEpochs());
    }

    /** A wither goes through the record's checks like a recipe file does. */
    @Test
    void aWitherIsCheckedLikeAFile() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BASE.withEpochs(10).withWarmupEpochs(11));
        assertEquals("recipe test: warmupEpochs is 11, must be 0 to epochs", e.getMessage());
    }

    @Test
    void withColourKeepsTheCrop() {
        Augmentation crop = Augmentation.padCrop(8, 2, Augmentation.Flip.NONE);
        Augmentation lit = crop.withColour(Colour.PCA_LIGHTING);
        assertEquals(Colour.PCA_LIGHTING, lit.colour());
        assertEquals(crop, lit.withColour(Colour.NONE));
    }
}
