package org.repzoo.zoo.core;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;

/** Runtime of {@link ChannelAffine}: broadcast multiply and add along the channel axis; the gradient is eps * scale. */
final class ChannelAffineVertex extends ParameterFreeVertex {

    private final double[] scaleValues;
    private final double[] shiftValues;
    private INDArray scale;
    private INDArray shift;

    ChannelAffineVertex(ComputationGraph graph, String name, int index, double[] scale, double[] shift, DataType dataType) {
        super(graph, name, index, dataType);
        this.scaleValues = scale.clone();
        this.shiftValues = shift.clone();
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray input = inputs[0];
        vectors(input.dataType());
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), input.shape(), 'c');
        Nd4j.getExecutioner().exec(new BroadcastMulOp(input, scale, out, 1));
        Nd4j.getExecutioner().exec(new BroadcastAddOp(out, shift, out, 1));
        return out;
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        vectors(epsilon.dataType());
        INDArray grad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), epsilon.shape(), 'c');
        Nd4j.getExecutioner().exec(new BroadcastMulOp(epsilon, scale, grad, 1));
        return new Pair<>(null, new INDArray[] {grad});
    }

    /** The per-channel vectors in the data type of the arrays they meet, kept outside any workspace. */
    private void vectors(DataType dataType) {
        if (scale != null && scale.dataType() == dataType) {
            return;
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            scale = Nd4j.createFromArray(scaleValues).castTo(dataType);
            shift = Nd4j.createFromArray(shiftValues).castTo(dataType);
        }
    }

    @Override
    public String toString() {
        return "ChannelAffineVertex(name=" + vertexName + ", channels=" + scaleValues.length + ")";
    }
}
