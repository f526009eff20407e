package org.repzoo.zoo.core;

import java.util.Arrays;
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
 * A fixed per-channel affine map {@code y[:, c] = x[:, c] * scale[c] + shift[c]} without parameters, such as
 * torchvision's {@code transform_input} in GoogLeNet and Inception v3. It cannot be folded into the first
 * convolution: that convolution zero-pads its input, and the shift would then reach the border pixels' padding too.
 */
public final class ChannelAffine extends GraphVertex {

    private final double[] scale;
    private final double[] shift;

    public ChannelAffine(@JsonProperty("scale") double[] scale, @JsonProperty("shift") double[] shift) {
        if (scale == null || shift == null || scale.length == 0 || scale.length != shift.length) {
            throw new IllegalArgumentException("scale and shift need one value per channel, got "
                    + Arrays.toString(scale) + " and " + Arrays.toString(shift));
        }
        for (int c = 0; c < scale.length; c++) {
            if (!Double.isFinite(scale[c]) || !Double.isFinite(shift[c])) {
                throw new IllegalArgumentException("scale and shift must be finite, channel " + c + ": "
                        + scale[c] + ", " + shift[c]);
            }
        }
        this.scale = scale.clone();
        this.shift = shift.clone();
    }

    public double[] getScale() {
        return scale.clone();
    }

    public double[] getShift() {
        return shift.clone();
    }

    @Override
    public ChannelAffine clone() {
        return new ChannelAffine(scale, shift);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChannelAffine other && Arrays.equals(other.scale, scale) && Arrays.equals(other.shift, shift);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(scale) + Arrays.hashCode(shift);
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
        return new ChannelAffineVertex(graph, name, idx, scale, shift, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        if (!(vertexInputs[0] instanceof InputType.InputTypeConvolutional conv) || conv.getChannels() != scale.length) {
            throw new InvalidInputTypeException("ChannelAffine needs a convolutional input with " + scale.length
                    + " channels, got " + vertexInputs[0]);
        }
        return vertexInputs[0];
    }

    @Override
    public MemoryReport getMemoryReport(InputType... inputTypes) {
        return new LayerMemoryReport.Builder(null, ChannelAffine.class, inputTypes[0], inputTypes[0])
                .standardMemory(0, 0).workingMemory(0, 0, 0, 0).cacheMemory(0, 0).build();
    }
}
