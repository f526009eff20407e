package org.repzoo.training.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.BaseOutputLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.learning.config.IUpdater;
import org.nd4j.linalg.learning.regularization.L2Regularization;
import org.nd4j.linalg.learning.regularization.Regularization;
import org.nd4j.linalg.lossfunctions.ILossFunction;
import org.nd4j.linalg.schedule.ISchedule;
import org.repzoo.training.loss.LabelSmoothingCrossEntropy;
import org.repzoo.training.optim.SgdMomentum;
import org.repzoo.training.optim.TfRmsProp;
import org.repzoo.training.recipe.TinyGraphs.AuxHead;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.LogitsCrossEntropy;

/**
 * Each registered recipe, applied to a graph, configures what its paper says: optimizer, learning rate over time,
 * weight decay per parameter, clipping and losses. Numbers are the papers' (see {@link Recipes}).
 */
class RecipesTest {

    /** ImageNet-1k's 1,281,167 training images at batch 256. */
    private static final int IMAGENET_STEPS_256 = 5005;

    private static Layer layer(ComputationGraphConfiguration conf, String name) {
        GraphVertex vertex = conf.getVertices().get(name);
        return ((LayerVertex) vertex).getLayerConf().getLayer();
    }

    private static double l2(Layer layer, String param) {
        List<Regularization> regularization = layer.getRegularizationByParam(param);
        if (regularization == null || regularization.isEmpty()) {
            return 0;
        }
        assertEquals(1, regularization.size(), param + " has several regularisations");
        L2Regularization l2 = assertInstanceOf(L2Regularization.class, regularization.get(0));
        return l2.getL2().valueAt(0, 0);
    }

    private static ISchedule learningRate(Layer layer) {
        IUpdater updater = layer.getUpdaterByParam("W");
        if (updater instanceof SgdMomentum sgd) {
            return sgd.learningRateSchedule();
        }
        return ((TfRmsProp) updater).learningRateSchedule();
    }

    private static ILossFunction loss(ComputationGraphConfiguration conf, String name) {
        return ((BaseOutputLayer) layer(conf, name)).getLossFn();
    }

    @Test
    void everyFamilyWithAPaperRecipeHasOne() {
        assertSame(Recipes.VGG, Recipes.forFamily(Family.VGG));
        assertSame(Recipes.GOOGLENET, Recipes.forFamily(Family.GOOGLENET));
        assertSame(Recipes.INCEPTION_V3, Recipes.forFamily(Family.INCEPTION));
        assertSame(Recipes.RESNET, Recipes.forFamily(Family.RESNET));
        assertSame(Recipes.REPVGG, Recipes.forFamily(Family.REPVGG));
        assertSame(Recipes.INCEPTION_V4, Recipes.forFamily(Family.INCEPTION_V4));
        assertSame(Recipes.XCEPTION, Recipes.forFamily(Family.XCEPTION));
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Recipes.forFamily(Family.NIN));
        assertTrue(none.getMessage().contains("repvgg"), none.getMessage());
    }

    /** Ding et al. 2021: SGD 0.9, lr 0.1 cosine over 120 epochs, weight decay 1e-4 on weights only (not BN, bias). */
    @Test
    void repvgg() {
        ComputationGraphConfiguration conf = RecipeApplier.configure(TinyGraphs.convBnFc(3, AuxHead.NONE),
                Recipes.REPVGG, IMAGENET_STEPS_256);
        Layer conv = layer(conf, TinyGraphs.CONV);
        SgdMomentum sgd = assertInstanceOf(SgdMomentum.class, conv.getUpdaterByParam("W"));
        assertEquals(0.9, sgd.momentum());
        assertEquals(sgd, conv.getUpdaterByParam("b"));
        ISchedule lr = learningRate(conv);
        int total = 120 * IMAGENET_STEPS_256;
        assertEquals(0.1, lr.valueAt(0, 0), 1e-12);
        assertEquals(0.05, lr.valueAt(total / 2, 60), 1e-12);
        assertEquals(0.1 * (1 + Math.cos(Math.PI / 4)) / 2, lr.valueAt(total / 4, 30), 1e-12);
        assertEquals(0, lr.valueAt(total, 120), 1e-12);
        assertEquals(1e-4, l2(conv, "W"));
        assertEquals(0, l2(conv, "b"));
        Layer fc = layer(conf, TinyGraphs.FC);
        assertEquals(1e-4, l2(fc, "W"));
        assertEquals(0, l2(fc, "b"));
        Layer bn = layer(conf, TinyGraphs.BN);
        for (String param : List.of("gamma", "beta", "mean", "var")) {
            assertEquals(0, l2(bn, param), param);
        }
        assertEquals(new LogitsCrossEntropy(1.0), loss(conf, TinyGraphs.FC));
        assertEquals(GradientNormalization.None, ((BaseLayer) conv).getGradientNormalization());
    }

    /** The same rule on the real repvgg_a0: every BN and every bias is free of decay, every kernel has 1e-4. */
    @Test
    void repvggA0HasNoDecayOnAnyBatchNormOrBias() {
        ComputationGraphConfiguration conf = RecipeApplier.configure(Zoo.registry().get("repvgg_a0").configure(),
                Recipes.REPVGG, IMAGENET_STEPS_256);
        int kernels = 0;
        int norms = 0;
        for (GraphVertex vertex : conf.getVertices().values()) {
            if (!(vertex instanceof LayerVertex layerVertex)) {
                continue;
            }
            Layer layer = layerVertex.getLayerConf().getLayer();
            for (String param : layer.initializer().paramKeys(layer)) {
                boolean isWeight = layer.initializer().isWeightParam(layer, param);
                double expected = isWeight && !(layer instanceof BatchNormalization) ? 1e-4 : 0;
                assertEquals(expected, l2(layer, param), layer.getLayerName() + "." + param);
                kernels += expected > 0 ? 1 : 0;
            }
            norms += layer instanceof BatchNormalization ? 1 : 0;
        }
        // A0: 1 + 2 + 4 + 14 + 1 = 22 blocks, each with a 3x3 and a 1x1 kernel, plus the classifier
        assertEquals(2 * 22 + 1, kernels);
        assertTrue(norms >= 2 * 22, "A0's train form has a BN on every branch, found " + norms);
    }

    /** Linear scaling (Goyal et al.): RepVGG at batch 64 starts at 0.1 * 64/256 = 0.025. */
    @Test
    void linearScalingFollowsTheBatchSize() {
        Recipe small = Recipes.REPVGG.withBatchSize(64);
        assertEquals(0.025, small.effectiveLearningRate(), 1e-15);
        ISchedule lr = LearningRates.of(small, 4 * IMAGENET_STEPS_256);
        assertEquals(0.025, lr.valueAt(0, 0), 1e-15);
        assertEquals(0.01, Recipes.VGG.withBatchSize(64).effectiveLearningRate(), 1e-15); // VGG does not scale
    }

    /** He et al. 2016: SGD 0.9, lr 0.1 divided by 10 (epochs 30, 60), weight decay 1e-4 incl. biases, batch 256. */
    @Test
    void resnet() {
        ComputationGraphConfiguration conf = RecipeApplier.configure(TinyGraphs.convBnFc(3, AuxHead.NONE),
                Recipes.RESNET, IMAGENET_STEPS_256);
        Layer conv = layer(conf, TinyGraphs.CONV);
        assertEquals(0.9, assertInstanceOf(SgdMomentum.class, conv.getUpdaterByParam("W")).momentum());
        ISchedule lr = learningRate(conv);
        assertEquals(0.1, lr.valueAt(0, 29), 1e-15);
        assertEquals(0.01, lr.valueAt(0, 30), 1e-15);
        assertEquals(0.001, lr.valueAt(0, 60), 1e-15);
        assertEquals(1e-4, l2(conv, "W"));
        assertEquals(1e-4, l2(conv, "b"));
        assertEquals(0, l2(layer(conf, TinyGraphs.BN), "gamma"));
        assertEquals(256, Recipes.RESNET.batchSize());
    }

    /** Simonyan &amp; Zisserman: SGD 0.9, lr 0.01 (lowered on plateau by the loop), weight decay 5e-4, batch 256. */
    @Test
    void vgg() {
        ComputationGraphConfiguration conf = RecipeApplier.configure(TinyGraphs.convBnFc(3, AuxHead.NONE),
                Recipes.VGG, IMAGENET_STEPS_256);
        Layer fc = layer(conf, TinyGraphs.FC);
        assertEquals(0.9, assertInstanceOf(SgdMomentum.class, fc.getUpdaterByParam("W")).momentum());
        assertEquals(0.01, learningRate(fc).valueAt(999_999, 70), 1e-15);
        assertEquals(LrSchedule.Kind.PLATEAU, Recipes.VGG.schedule().kind());
        assertEquals(0.1, Recipes.VGG.schedule().gamma());
        assertEquals(5e-4, l2(fc, "W"));
        assertEquals(5e-4, l2(fc, "b"));
        assertEquals(0.5, Recipes.VGG.dropout());
        assertEquals(256, Recipes.VGG.batchSize());
        assertEquals(256, Recipes.VGG.augmentation().scaleMin());
        assertEquals(512, Recipes.VGG.augmentation().scaleMax());
    }

    /** Szegedy et al. 2015: SGD 0.9, lr down 4% every 8 epochs, auxiliary losses at 0.3, Polyak averaging. */
    @Test
    void googlenet() {
        ComputationGraphConfiguration conf = RecipeApplier.configure(TinyGraphs.convBnFc(3, AuxHead.ONE),
                Recipes.GOOGLENET, IMAGENET_STEPS_256);
        Layer conv = layer(conf, TinyGraphs.CONV);
        assertEquals(0.9, assertInstanceOf(SgdMomentum.class, conv.getUpdaterByParam("W")).momentum());
        ISchedule lr = learningRate(conv);
        assertEquals(0.01, lr.valueAt(0, 7), 1e-15);
        assertEquals(0.0096, lr.valueAt(0, 8), 1e-15);
        assertEquals(0.009216, lr.valueAt(0, 16), 1e-15);
        assertEquals(new LogitsCrossEntropy(1.0), loss(conf, TinyGraphs.FC));
        assertEquals(new LogitsCrossEntropy(0.3), loss(conf, TinyGraphs.AUX));
        assertEquals(Averaging.Kind.UNIFORM, Recipes.GOOGLENET.averaging().kind());
    }

    /** The real googlenet (torchvision, aux_logits): both auxiliary classifiers get weight 0.3. */
    @Test
    void googlenetAuxiliaryHeadsGetThePapersWeight() {
        ComputationGraphConfiguration conf = RecipeApplier.configure(Zoo.registry().get("googlenet").configure(),
                Recipes.GOOGLENET, IMAGENET_STEPS_256);
        List<String> outputs = conf.getNetworkOutputs();
        assertEquals(3, outputs.size());
        assertEquals(new LogitsCrossEntropy(1.0), loss(conf, outputs.get(0)));
        assertEquals(new LogitsCrossEntropy(0.3), loss(conf, outputs.get(1)));
        assertEquals(new LogitsCrossEntropy(0.3), loss(conf, outputs.get(2)));
    }

    /**
     * Szegedy et al. 2016: RMSProp decay 0.9 and epsilon 1.0, lr 0.045 times 0.94 every 2 epochs, label smoothing 0.1,
     * gradient clipping at 2.0.
     */
    @Test
    void inceptionV3() {
        ComputationGraphConfiguration conf = RecipeApplier.configure(TinyGraphs.convBnFc(3, AuxHead.ONE),
                Recipes.INCEPTION_V3, IMAGENET_STEPS_256);
        BaseLayer conv = (BaseLayer) layer(conf, TinyGraphs.CONV);
        TfRmsProp rms = assertInstanceOf(TfRmsProp.class, conv.getUpdaterByParam("W"));
        assertEquals(0.9, rms.decay());
        assertEquals(1.0, rms.epsilon());
        ISchedule lr = learningRate(conv);
        assertEquals(0.045, lr.valueAt(0, 1), 1e-15);
        assertEquals(0.0423, lr.valueAt(0, 2), 1e-15);
        assertEquals(0.045 * Math.pow(0.94, 49), lr.valueAt(0, 99), 1e-15);
        assertEquals(new LabelSmoothingCrossEntropy(0.1, 1.0), loss(conf, TinyGraphs.FC));
        assertEquals(new LabelSmoothingCrossEntropy(0.1, 0.4), loss(conf, TinyGraphs.AUX));
        assertEquals(GradientNormalization.ClipL2PerLayer, conv.getGradientNormalization());
        assertEquals(2.0, conv.getGradientNormalizationThreshold());
        assertEquals(32, Recipes.INCEPTION_V3.batchSize());
        assertEquals(299, Recipes.INCEPTION_V3.augmentation().cropSize());
    }

    /** Szegedy et al. 2017: RMSProp decay 0.9, epsilon 1.0, lr 0.045 times 0.94 every two epochs, running average. */
    @Test
    void inceptionV4() {
        ComputationGraphConfiguration conf = RecipeApplier.configure(TinyGraphs.convBnFc(3, AuxHead.NONE),
                Recipes.INCEPTION_V4, IMAGENET_STEPS_256);
        Layer conv = layer(conf, TinyGraphs.CONV);
        TfRmsProp rms = assertInstanceOf(TfRmsProp.class, conv.getUpdaterByParam("W"));
        assertEquals(0.9, rms.decay());
        assertEquals(1.0, rms.epsilon());
        assertEquals(0.045 * 0.94 * 0.94, learningRate(conv).valueAt(0, 5), 1e-15);
        assertEquals(Averaging.Kind.EXPONENTIAL, Recipes.INCEPTION_V4.averaging().kind());
    }

    /** Chollet 2017: SGD 0.9, lr 0.045 times 0.94 every 2 epochs, weight decay 1e-5, Polyak averaging. */
    @Test
    void xception() {
        ComputationGraphConfiguration conf = RecipeApplier.configure(TinyGraphs.convBnFc(3, AuxHead.NONE),
                Recipes.XCEPTION, IMAGENET_STEPS_256);
        Layer fc = layer(conf, TinyGraphs.FC);
        assertEquals(0.9, assertInstanceOf(SgdMomentum.class, fc.getUpdaterByParam("W")).momentum());
        assertEquals(0.045 * 0.94, learningRate(fc).valueAt(0, 3), 1e-15);
        assertEquals(1e-5, l2(fc, "W"));
        assertEquals(Averaging.Kind.UNIFORM, Recipes.XCEPTION.averaging().kind());
        assertEquals(0.5, Recipes.XCEPTION.dropout());
    }

    @Test
    void aRecipeWithoutAuxiliaryWeightRefusesAGraphWithAuxiliaryHeads() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecipeApplier.configure(
                TinyGraphs.convBnFc(3, AuxHead.ONE), Recipes.RESNET, 100));
        assertTrue(e.getMessage().contains(TinyGraphs.AUX), e.getMessage());
    }

    @Test
    void warmupWrapsTheSchedule() throws Exception {
        Recipe warm = RecipeFiles.override(Recipes.RESNET, "{\"warmupEpochs\": 5}");
        ISchedule lr = LearningRates.of(warm, 100);
        assertEquals(0.1 / 500, lr.valueAt(0, 0), 1e-15);
        assertEquals(0.1 * 250 / 500, lr.valueAt(249, 2), 1e-15);
        assertEquals(0.1, lr.valueAt(500, 5), 1e-15);
    }

    /** The configured graph still serialises: custom updater, schedules and losses round-trip through DL4J's JSON. */
    @Test
    void configuredGraphSurvivesJson() {
        for (Recipe recipe : Recipes.all().values()) {
            AuxHead aux = recipe.auxLossWeight() > 0 ? AuxHead.ONE : AuxHead.NONE;
            ComputationGraphConfiguration conf = RecipeApplier.configure(TinyGraphs.convBnFc(3, aux), recipe,
                    IMAGENET_STEPS_256);
            assertEquals(conf, ComputationGraphConfiguration.fromJson(conf.toJson()), recipe.name());
        }
    }
}
