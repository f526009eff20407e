package org.repzoo.compat;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.LayerVertex;
import org.deeplearning4j.nn.layers.ActivationLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinearDerivative;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ReLU layers that train in place, as PyTorch's {@code ReLU(inplace=True)} in torchvision's ResNet and RepVGG's
 * blocks. DL4J M2.1's {@code ActivationLayer} copies its input before applying the ReLU when training (the copy is
 * kept for the backward pass), so every ReLU keeps a second tensor of its input's size for the whole step: in
 * ResNet-50 at batch 16, 586 MB of the 2.4 GB of activations a step holds. The input is the output of a batch norm,
 * a convolution or a sum that no other vertex reads, and none of those needs its own output in its backward pass, so
 * the ReLU may overwrite it. The backward pass reads the overwritten tensor: relu(x) > 0 exactly where x > 0, so the
 * derivative is the same, and every value the step computes is the same as DL4J's.
 * <p>
 * Only the live layers of a graph being trained change, as with the other helpers ({@link TrainingHelpers}): the
 * configuration and a saved model are untouched, inference ({@code output}) runs DL4J's layer as before (which
 * already works in place there), and a clone gets DL4J's layers. On a graph with these layers,
 * {@code feedForward(..., true)} reports the ReLU's output for the vertex it overwrote.
 * <p>
 * When a DL4J release makes it unnecessary: when {@code ActivationLayer.activate(true, ...)} no longer copies its
 * input (M2.1's layers carry an {@code inputModificationAllowed} flag that its graph never sets).
 */
public final class InPlaceRelu {
    /** {@code -Drepzoo.dl4jRelu=true} keeps DL4J's copying ReLU layers (for side-by-side measurements). */
    static final String KEEP_DL4J = "repzoo.dl4jRelu";

    private InPlaceRelu() {
    }

    /** Returns how many ReLU layers now train in place. */
    public static int install(ComputationGraph graph) {
        if (Boolean.getBoolean(KEEP_DL4J)) {
            return 0;
        }
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        int installed = 0;
        for (GraphVertex vertex : graph.getVertices()) {
            if (vertex instanceof LayerVertex layerVertex
                    && layerVertex.getLayer().getClass() == ActivationLayer.class
                    && layerVertex.getLayerPreProcessor() == null
                    && isPlainRelu(layerVertex.getLayer())
                    && inputs.get(vertex.getVertexName()).size() == 1
                    && Overwritable.output(conf, inputs, inputs.get(vertex.getVertexName()).get(0))) {
                ActivationLayer original = (ActivationLayer) layerVertex.getLayer();
                TrainingLayer replacement = new TrainingLayer(original);
                layerVertex.setLayer(replacement);
                replaceInArray(graph.getLayers(), original, replacement);
                installed++;
            }
        }
        return installed;
    }

    private static void replaceInArray(Layer[] layers, Layer original, Layer replacement) {
        for (int i = 0; i < layers.length; i++) {
            if (layers[i] == original) {
                layers[i] = replacement;
                return;
            }
        }
        throw new IllegalStateException("layer " + original.conf().getLayer().getLayerName() + " is not in its graph");
    }

    private static boolean isPlainRelu(Layer layer) {
        org.deeplearning4j.nn.conf.layers.ActivationLayer conf =
                (org.deeplearning4j.nn.conf.layers.ActivationLayer) layer.conf().getLayer();
        return conf.getActivationFn() instanceof ActivationReLU relu
                && relu.getMax() == null
                && (relu.getThreshold() == null || relu.getThreshold() == 0)
                && (relu.getNegativeSlope() == null || relu.getNegativeSlope() == 0)
                && conf.getIDropout() == null;
    }

    /** DL4J's ReLU layer, overwriting its input when training. */
    static final class TrainingLayer extends ActivationLayer {
        TrainingLayer(ActivationLayer original) {
            super(original.conf(), original.getDataType());
            setIndex(original.getIndex());
            setListeners(original.getListeners());
            setIterationCount(original.getIterationCount());
            setEpochCount(original.getEpochCount());
            setCacheMode(original.getCacheMode());
        }

        @Override
        public INDArray activate(boolean training, LayerWorkspaceMgr workspaces) {
            if (!training) {
                return super.activate(false, workspaces);
            }
            assertInputSet(false);
            return layerConf().getActivationFn().getActivation(workspaces.leverageTo(ArrayType.ACTIVATIONS, input),
                    true);
        }

        @Override
        public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaces) {
            assertInputSet(true);
            INDArray delta = workspaces.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                    epsilon.shape(), 'c');
            // input holds relu(x) now: the same sign pattern as x, so the same derivative.
            Nd4j.exec(new RectifiedLinearDerivative(input, epsilon, delta, 0.0));
            return new Pair<>(new DefaultGradient(), delta);
        }
    }
}
