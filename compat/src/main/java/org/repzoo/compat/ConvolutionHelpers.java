package org.repzoo.compat;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.layers.mkldnn.MKLDNNConvHelper;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts {@link OneDnnConvolutionHelper} under the convolution layers of a graph being trained, where DL4J chose its
 * oneDNN helper, the same way {@link BatchNormHelpers} does for batch norm (through {@link HelperField}). It needs
 * JavaCPP's oneDNN build for the platform ({@code org.bytedeco:dnnl} with its classifier, which the command line
 * ships); without it the layers keep DL4J's helper, logged once.
 */
public final class ConvolutionHelpers {
    /** {@code -Drepzoo.dl4jConvolution=true} keeps DL4J's helper everywhere (for side-by-side timings). */
    static final String KEEP_DL4J = "repzoo.dl4jConvolution";
    private static final Logger LOG = LoggerFactory.getLogger(ConvolutionHelpers.class);
    private static final HelperField<ConvolutionLayer, ConvolutionHelper> HELPER =
            new HelperField<>(ConvolutionLayer.class, ConvolutionHelper.class);
    private static volatile Boolean available;

    private ConvolutionHelpers() {
    }

    /** Returns how many layers got the oneDNN helper. */
    public static int install(ComputationGraph graph) {
        if (Boolean.getBoolean(KEEP_DL4J) || !available()) {
            return 0;
        }
        int installed = 0;
        for (Layer layer : graph.getLayers()) {
            if (layer instanceof ConvolutionLayer conv && conv.getClass() == ConvolutionLayer.class
                    && helperOf(conv) instanceof MKLDNNConvHelper) {
                setHelper(conv, new OneDnnConvolutionHelper(conv.hasBias(),
                        conv.layerConf().getActivationFn() instanceof ActivationIdentity));
                installed++;
            }
        }
        return installed;
    }

    /** Whether JavaCPP's oneDNN loads here: its classes and the platform's native libraries. */
    static boolean available() {
        if (available == null) {
            try {
                org.bytedeco.javacpp.Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                available = true;
            } catch (LinkageError | RuntimeException e) {
                LOG.info("training convolutions stay on DL4J's oneDNN helper: JavaCPP's oneDNN (org.bytedeco:dnnl "
                        + "for this platform) does not load: {}", e.toString());
                available = false;
            }
        }
        return available;
    }

    static ConvolutionHelper helperOf(ConvolutionLayer layer) {
        return HELPER.get(layer);
    }

    static void setHelper(ConvolutionLayer layer, ConvolutionHelper helper) {
        HELPER.set(layer, helper);
    }
}
