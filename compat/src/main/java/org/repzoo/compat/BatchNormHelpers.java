package org.repzoo.compat;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNBatchNormHelper;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.deeplearning4j.nn.layers.normalization.BatchNormalizationHelper;

/**
 * Puts {@link PlaneBatchNormHelper} under the batch-norm layers of a graph being trained, through the layer's
 * {@code helper} field ({@link HelperField}: DL4J M2.1 offers no hook). Only the live layers change: the configuration,
 * the parameters and a saved model are untouched, and a model loaded elsewhere gets DL4J's own helper. Layers whose
 * helper DL4J left out (no oneDNN, or the cuDNN one on a GPU) keep what they have.
 */
public final class BatchNormHelpers {
    /** {@code -Drepzoo.dl4jBatchNorm=true} keeps DL4J's helper everywhere (for side-by-side timings). */
    static final String KEEP_DL4J = "repzoo.dl4jBatchNorm";
    private static final HelperField<BatchNormalization, BatchNormalizationHelper> HELPER =
            new HelperField<>(BatchNormalization.class, BatchNormalizationHelper.class);

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
        return HELPER.get(layer);
    }

    static void setHelper(BatchNormalization layer, BatchNormalizationHelper helper) {
        HELPER.set(layer, helper);
    }
}
