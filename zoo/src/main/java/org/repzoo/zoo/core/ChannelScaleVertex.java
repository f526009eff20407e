package org.repzoo.zoo.core;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce3.Dot;
import org.nd4j.linalg.factory.Broadcast;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime of {@link ChannelScale}: {@code y[n,c,h,w] = x[n,c,h,w] * s[n,c]}. Backward:
 * {@code dx = dy * s} (the same broadcast) and {@code ds[n,c] = sum over h,w of dy * x}.
 *
 * <p>Workspaces: the output is created in {@link ArrayType#ACTIVATIONS}, both gradients in
 * {@link ArrayType#ACTIVATION_GRAD}; nothing else is allocated.
 */
final class ChannelScaleVertex extends ParameterFreeVertex {

    private static final int[] BATCH_AND_CHANNEL = {0, 1};
    private static final int[] SPATIAL = {2, 3};

    ChannelScaleVertex(ComputationGraph graph, String name, int index, DataType dataType) {
        super(graph, name, index, dataType);
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("ChannelScale " + vertexName + ": inputs not set");
        }
        INDArray x = inputs[0];
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, x.dataType(), x.shape(), 'c');
        return Broadcast.mul(x, scales(x), out, BATCH_AND_CHANNEL);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("ChannelScale " + vertexName + ": epsilon not set");
        }
        INDArray x = inputs[0];
        INDArray activationGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                x.shape(), 'c');
        Broadcast.mul(epsilon, scales(x), activationGrad, BATCH_AND_CHANNEL);
        INDArray scaleGrad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                new long[] {x.size(0), x.size(1)}, 'c');
        // one dot product per (n, c) over H and W: no [N, C, H, W] temporary
        Nd4j.getExecutioner().exec(new Dot(epsilon, x, scaleGrad, SPATIAL));
        return new Pair<>(null, new INDArray[] {activationGrad, scaleGrad.reshape(inputs[1].shape())});
    }

    /** The scales as [N, C], whether they came as [N, C, 1, 1] or [N, C]. */
    private INDArray scales(INDArray x) {
        INDArray s = inputs[1];
        if (s.rank() != 2 && s.rank() != 4 || s.size(0) != x.size(0) || s.length() != x.size(0) * x.size(1)) {
            throw new IllegalStateException("ChannelScale " + vertexName + ": scales of shape "
                    + java.util.Arrays.toString(s.shape()) + " for an activation of shape " + java.util.Arrays.toString(x.shape()));
        }
        return s.rank() == 2 ? s : s.reshape(s.size(0), s.size(1));
    }

    @Override
    public String toString() {
        return "ChannelScaleVertex(name=" + vertexName + ")";
    }
}
