package org.repzoo.zoo.core;

import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Configuration of PyTorch's {@code nn.AdaptiveAvgPool2d((outHeight, outWidth))}, which DL4J lacks. torchvision's
 * VGG pools to 7x7 before its classifier; at inputs other than 224 the bins overlap
 * ({@code start = floor(i*H/out)}, {@code end = ceil((i+1)*H/out)}), which no fixed-window pooling reproduces.
 */
public final class AdaptiveAvgPool extends GraphVertex {

    private final int outHeight;
    private final int outWidth;

    public AdaptiveAvgPool(@JsonProperty("outHeight") int outHeight, @JsonProperty("outWidth") int outWidth) {
        if (outHeight < 1 || outWidth < 1) {
            throw new IllegalArgumentException("adaptive pool output must be positive, got " + outHeight + "x" + outWidth);
        }
        this.outHeight = outHeight;
        this.outWidth = outWidth;
    }

    public int getOutHeight() {
        return outHeight;
    }

    public int getOutWidth() {
        return outWidth;
    }

    @Override
    public AdaptiveAvgPool clone() {
        return new AdaptiveAvgPool(outHeight, outWidth);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AdaptiveAvgPool other && other.outHeight == outHeight && other.outWidth == outWidth;
    }

    @Override
    public int hashCode() {
        return 31 * outHeight + outWidth;
    }

    @Override
    public long numParams(boolean backprop) {
        return 0;
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new AdaptiveAvgPoolVertex(graph, name, idx, outHeight, outWidth, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (!(vertexInputs[0] instanceof InputType.InputTypeConvolutional conv)) {
            throw new InvalidInputTypeException("AdaptiveAvgPool needs a convolutional input, got " + vertexInputs[0]);
        }
        return InputType.convolutional(outHeight, outWidth, conv.getChannels());
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        return new LayerMemoryReport.Builder(null, AdaptiveAvgPool.class, inputTypes[0], getOutputType(-1, inputTypes))
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }
}
