package org.repzoo.zoo.core;

import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime of {@link AdaptiveAvgPool}. Pooling is linear, so it is one matrix product with a fixed
 * [H*W, outH*outW] averaging matrix: exact for every input size, and its transpose gives the backward pass.
 */
final class AdaptiveAvgPoolVertex extends ParameterFreeVertex {

    private final int outHeight;
    private final int outWidth;
    private INDArray pooling;
    private int pooledHeight = -1;
    private int pooledWidth = -1;

    AdaptiveAvgPoolVertex(ComputationGraph graph, String name, int index, int outHeight, int outWidth, DataType dataType) {
        super(graph, name, index, dataType);
        this.outHeight = outHeight;
        this.outWidth = outWidth;
    }

    @Override
    public INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        INDArray input = inputs[0];
        long n = input.size(0);
        long c = input.size(1);
        int h = (int) input.size(2);
        int w = (int) input.size(3);
        if (isIdentity()) {
            return workspaceMgr.dup(ArrayType.ACTIVATIONS, input);
        }
        INDArray matrix = poolingMatrix(h, w, input.dataType());
        INDArray flat = input.dup('c').reshape('c', n * c, (long) h * w);
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, input.dataType(), new long[] {n * c, (long) outHeight * outWidth}, 'c');
        flat.mmuli(matrix, out);
        return out.reshape('c', n, c, outHeight, outWidth);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (isIdentity()) {
            return new Pair<>(null, new INDArray[] {workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, epsilon)});
        }
        INDArray input = inputs[0];
        long n = input.size(0);
        long c = input.size(1);
        int h = (int) input.size(2);
        int w = (int) input.size(3);
        INDArray matrix = poolingMatrix(h, w, epsilon.dataType());
        INDArray flat = epsilon.dup('c').reshape('c', n * c, (long) outHeight * outWidth);
        INDArray grad = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), new long[] {n * c, (long) h * w}, 'c');
        flat.mmuli(matrix.transpose(), grad);
        return new Pair<>(null, new INDArray[] {grad.reshape('c', n, c, h, w)});
    }

    private boolean isIdentity() {
        return inputs[0].size(2) == outHeight && inputs[0].size(3) == outWidth;
    }

    /** Row {@code y*W+x}, column {@code i*outW+j}: 1/|bin| where pixel (y, x) lies in output bin (i, j). */
    private INDArray poolingMatrix(int h, int w, DataType dataType) {
        if (pooling != null && pooledHeight == h && pooledWidth == w && pooling.dataType() == dataType) {
            return pooling;
        }
        double[][] m = new double[h * w][outHeight * outWidth];
        for (int i = 0; i < outHeight; i++) {
            int y0 = Math.floorDiv(i * h, outHeight);
            int y1 = -Math.floorDiv(-(i + 1) * h, outHeight);
            for (int j = 0; j < outWidth; j++) {
                int x0 = Math.floorDiv(j * w, outWidth);
                int x1 = -Math.floorDiv(-(j + 1) * w, outWidth);
                double weight = 1.0 / ((y1 - y0) * (x1 - x0));
                for (int y = y0; y < y1; y++) {
                    for (int x = x0; x < x1; x++) {
                        m[y * w + x][i * outWidth + j] = weight;
                    }
                }
            }
        }
        try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
            pooling = Nd4j.create(m).castTo(dataType);
        }
        pooledHeight = h;
        pooledWidth = w;
        return pooling;
    }

    @Override
    public String toString() {
        return "AdaptiveAvgPoolVertex(name=" + vertexName + ", out=" + outHeight + "x" + outWidth + ")";
    }
}
