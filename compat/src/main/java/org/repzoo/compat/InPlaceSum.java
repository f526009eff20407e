package org.repzoo.compat;

import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.impl.ElementWiseVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Sums that train in place, as {@code out += identity} in torchvision's ResNet blocks. DL4J M2.1's
 * {@code ElementWiseVertex} (Add) copies its first input into a new tensor and adds the others to it, and the step
 * keeps both: one more tensor per residual sum (RepVGG's train form sums its three branches in every block). Where the
 * first input is a batch norm's, a convolution's or a sum's output that nothing else reads ({@link Overwritable}),
 * RepZoo's vertex adds the others to it where it lies: the same additions in the same order, so the same values.
 * The backward pass is DL4J's (it reads only the incoming gradient).
 * <p>
 * Only the live vertices of a graph being trained change ({@link TrainingHelpers}); inference runs DL4J's vertex.
 * DL4J M2.1 has no setter for a graph's vertex: the vertex array is the graph's own (its getter returns it) and the
 * name-to-vertex map is set through reflection. {@code -Drepzoo.dl4jSum=true} keeps DL4J's vertices.
 * <p>
 * When a DL4J release makes it unnecessary: when {@code ElementWiseVertex.doForward(true, ...)} no longer copies its
 * first input.
 */
public final class InPlaceSum {
    /** {@code -Drepzoo.dl4jSum=true} keeps DL4J's copying sums (for side-by-side measurements). */
    static final String KEEP_DL4J = "repzoo.dl4jSum";

    private InPlaceSum() {
    }

    /** Returns how many sums now train in place. */
    public static int install(ComputationGraph graph) {
        if (Boolean.getBoolean(KEEP_DL4J)) {
            return 0;
        }
        ComputationGraphConfiguration conf = graph.getConfiguration();
        Map<String, List<String>> inputs = conf.getVertexInputs();
        GraphVertex[] vertices = graph.getVertices();
        int installed = 0;
        for (int i = 0; i < vertices.length; i++) {
            GraphVertex vertex = vertices[i];
            String name = vertex.getVertexName();
            if (vertex.getClass() == ElementWiseVertex.class
                    && conf.getVertices().get(name) instanceof org.deeplearning4j.nn.conf.graph.ElementWiseVertex sum
                    && sum.getOp() == org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.Add
                    && inputs.get(name).size() >= 2
                    && !conf.getNetworkOutputs().contains(name)
                    && Overwritable.output(conf, inputs, inputs.get(name).get(0))) {
                TrainingSum replacement = new TrainingSum((ElementWiseVertex) vertex);
                vertices[i] = replacement;
                verticesByName(graph).put(name, replacement);
                installed++;
            }
        }
        return installed;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, GraphVertex> verticesByName(ComputationGraph graph) {
        try {
            Field field = ComputationGraph.class.getDeclaredField("verticesMap");
            field.setAccessible(true);
            return (Map<String, GraphVertex>) field.get(graph);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DL4J's ComputationGraph has no verticesMap field to patch: " + e, e);
        }
    }

    /**
     * DL4J's Add vertex, adding into its first input when training. Its backward pass is DL4J's, a copy of the
     * gradient for each input; it is written out here because DL4J's reads how many inputs its own forward pass saw.
     */
    static final class TrainingSum extends ElementWiseVertex {
        private boolean summedInPlace;

        TrainingSum(ElementWiseVertex original) {
            super(original.getGraph(), original.getVertexName(), original.getVertexIndex(),
                    original.getInputVertices(), original.getOutputVertices(), Op.Add, original.getDataType());
        }

        @Override
        public INDArray doForward(boolean training, LayerWorkspaceMgr workspaces) {
            summedInPlace = training && sameShapes();
            if (!summedInPlace) {
                return super.doForward(training, workspaces);
            }
            INDArray sum = workspaces.leverageTo(ArrayType.ACTIVATIONS, inputs[0]);
            for (int i = 1; i < inputs.length; i++) {
                sum.addi(inputs[i].castTo(sum.dataType()));
            }
            return sum;
        }

        @Override
        public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaces) {
            if (!summedInPlace) {
                return super.doBackward(tbptt, workspaces);
            }
            INDArray[] gradients = new INDArray[inputs.length];
            for (int i = 0; i < gradients.length; i++) {
                gradients[i] = workspaces.dup(ArrayType.ACTIVATION_GRAD, epsilon);
            }
            return new Pair<>(null, gradients);
        }

        private boolean sameShapes() {
            for (INDArray input : inputs) {
                if (!Arrays.equals(input.shape(), inputs[0].shape()) || input.dataType() != inputs[0].dataType()) {
                    return false;
                }
            }
            return true;
        }
    }
}
