package org.repzoo.compat;

import java.lang.reflect.Field;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;

/**
 * Puts {@link PlaneBatchNormHelper} under the batch-norm layers of a graph being trained. DL4J M2.1 picks a layer's
 * helper from two hard-coded class names (cuDNN's, oneDNN's) and offers no hook, so this sets the layer's
 * package-private {@code helper} field. Only the live layers change: the configuration, the parameters and a saved
 * model are untouched, and a model loaded elsewhere gets DL4J's own helper. Layers whose helper DL4J left out (no
 * oneDNN, or the cuDNN one on a GPU) keep what they have.
 */
public final class BatchNormHelpers {
    /** {@code -Drepzoo.dl4jBatchNorm=true} keeps DL4J's helper everywhere (for side-by-side timings). */
    static final String KEEP_DL4J = "repzoo.dl4jBatchNorm";
    private static final Field HELPER = helperField();

    private BatchNormHelpers() {
    }

    /** Returns how many layers got the plane helper. */
    public static int install(ComputationGraph graph) {
        if (Boolean.getBoolean(KEEP_DL4J)) {
            return 0;
        }
        int installed = 0;
        for (Layer layer : graph.getLayers()) {
            if (layer instanceof BatchNormalization batchNorm && helperOf(batchNorm) instanceof MKLDNNBatchNormHelper) {
                setHelper(batchNorm, new PlaneBatchNormHelper());
                installed++;
            }
        }
        return installed;
    }


    static BatchNormalizationHelper helperOf(BatchNormalization layer) {
        try {
            return (BatchNormalizationHelper) HELPER.get(layer);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read the helper of DL4J's BatchNormalization", e);
        }
    }

    static void setHelper(BatchNormalization layer, BatchNormalizationHelper helper) {
        try {
            HELPER.set(layer, helper);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot set the helper of DL4J's BatchNormalization", e);
        }
    }

    private static Field helperField() {
        try {
            Field field = BatchNormalization.class.getDeclaredField("helper");
            field.setAccessible(true);
            return field;
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("DL4J's BatchNormalization has no 'helper' field: not DL4J 1.0.0-M2.1?", e);
        }
    }
}
