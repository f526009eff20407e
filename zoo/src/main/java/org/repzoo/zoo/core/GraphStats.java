package org.repzoo.zoo.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * Per-vertex output shapes, parameter counts and multiply-adds, computed from a configuration without allocating
 * weights (VGG's 138M parameters stay unallocated). Multiply-adds count convolutions and linear layers, as
 * torchvision's published GFLOPS do; a grouped convolution's output channel sees {@code in/groups} input channels.
 */
public final class GraphStats {

    /**
     * One vertex: its name, type, output shape as text, learnable parameters (what PyTorch's {@code parameters()}
     * counts), buffers (BatchNorm's running mean and variance, stored as DL4J parameters) and multiply-adds.
     */
    public record Row(String name, String type, String output, long parameters, long buffers, long multiplyAdds) {
    }

    private final List<Row> rows;

    private GraphStats(List<Row> rows) {
        this.rows = List.copyOf(rows);
    }

    public static GraphStats of(ComputationGraphConfiguration conf, InputShape input) {
        Map<String, InputType> types = conf.getLayerActivationTypes(input.toInputType());
        List<Row> rows = new ArrayList<>();
        for (String name : types.keySet()) { // topological order
            InputType out = types.get(name);
            if (name.equals(GraphScope.INPUT)) {
                rows.add(new Row(name, "Input", describe(out), 0, 0, 0));
                continue;
            }
            GraphVertex vertex = conf.getVertices().get(name);
            String type = vertex instanceof LayerVertex lv ? lv.getLayerConf().getLayer().getClass().getSimpleName()
                    : vertex.getClass().getSimpleName();
            long stored = vertex.numParams(true);
            long buffers = buffers(vertex);
            rows.add(new Row(name, type, describe(out), stored - buffers, buffers, multiplyAdds(vertex, out)));
        }
        return new GraphStats(rows);
    }

    private static long buffers(GraphVertex vertex) {
        if (vertex instanceof LayerVertex lv && lv.getLayerConf().getLayer() instanceof BatchNormalization bn) {
            return 2 * bn.getNOut();
        }
        return 0;
    }

    private static long multiplyAdds(GraphVertex vertex, InputType out) {
        if (!(vertex instanceof LayerVertex lv)) {
            return 0;
        }
        Layer layer = lv.getLayerConf().getLayer();
        if (layer instanceof GroupedConvolution grouped && out instanceof InputType.InputTypeConvolutional c) {
            int[] k = grouped.getKernelSize();
            return c.getHeight() * c.getWidth() * grouped.getNOut() * grouped.inChannelsPerGroup() * k[0] * k[1];
        }
        if (layer instanceof ConvolutionLayer conv && out instanceof InputType.InputTypeConvolutional c) {
            int[] k = conv.getKernelSize();
            return c.getHeight() * c.getWidth() * conv.getNOut() * conv.getNIn() * k[0] * k[1];
        }
        if (layer instanceof FeedForwardLayer dense && !(layer instanceof ConvolutionLayer)
                && !(layer instanceof BatchNormalization)) {
            return dense.getNIn() * dense.getNOut();
        }
        return 0;
    }

    private static String describe(InputType type) {
        if (type instanceof InputType.InputTypeConvolutional c) {
            return c.getChannels() + "x" + c.getHeight() + "x" + c.getWidth();
        }
        if (type instanceof InputType.InputTypeFeedForward f) {
            return Long.toString(f.getSize());
        }
        return String.valueOf(type);
    }

    public List<Row> rows() {
        return rows;
    }

    public long parameters() {
        return rows.stream().mapToLong(Row::parameters).sum();
    }

    public long buffers() {
        return rows.stream().mapToLong(Row::buffers).sum();
    }

    public long multiplyAdds() {
        return rows.stream().mapToLong(Row::multiplyAdds).sum();
    }
}
