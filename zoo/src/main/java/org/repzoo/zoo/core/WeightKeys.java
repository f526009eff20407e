package org.repzoo.zoo.core;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * The one table from DL4J parameter keys to PyTorch state_dict keys. A DL4J key is {@code VERTEX_PARAM}, split at
 * the <em>last</em> underscore (vertex names contain dots, never underscores at the end); the vertex name is the
 * PyTorch module path, and the parameter maps as: conv {@code W→weight}, {@code b→bias}; batch norm
 * {@code gamma→weight}, {@code beta→bias}, {@code mean→running_mean}, {@code var→running_var}; dense {@code W}
 * (stored [in, out], the transpose of {@code nn.Linear.weight}) {@code →weight}, {@code b→bias}. A grouped
 * convolution ({@link GroupedConvolution}) stores one weight of PyTorch's shape [out, in/groups, kH, kW].
 * BatchNorm's {@code num_batches_tracked} has no DL4J counterpart.
 */
public final class WeightKeys {

    private WeightKeys() {
    }

    /** A PyTorch key with its tensor shape, and whether the DL4J array is its transpose. */
    public record TorchParam(String key, long[] shape, boolean transposed) {
        @Override
        public boolean equals(Object o) {
            return o instanceof TorchParam p && p.key.equals(key) && Arrays.equals(p.shape, shape) && p.transposed == transposed;
        }

        @Override
        public int hashCode() {
            return key.hashCode() * 31 + Arrays.hashCode(shape);
        }

        @Override
        public String toString() {
            return key + Arrays.toString(shape);
        }
    }

    /** Vertex name and parameter name of a DL4J key. */
    public static String[] split(String dl4jKey) {
        int cut = dl4jKey.lastIndexOf('_');
        if (cut <= 0 || cut == dl4jKey.length() - 1) {
            throw new IllegalArgumentException("not a DL4J parameter key: " + dl4jKey);
        }
        return new String[] {dl4jKey.substring(0, cut), dl4jKey.substring(cut + 1)};
    }

    /** PyTorch parameter name for a DL4J parameter of the given layer. */
    public static String torchName(Layer layer, String param) {
        if (layer instanceof BatchNormalization) {
            return switch (param) {
                case "gamma" -> "weight";
                case "beta" -> "bias";
                case "mean" -> "running_mean";
                case "var" -> "running_var";
                default -> throw new IllegalArgumentException("batch norm parameter '" + param
                        + "' has no PyTorch counterpart (build with useLogStd(false))");
            };
        }
        return switch (param) {
            case "W" -> "weight";
            case "b" -> "bias";
            default -> throw new IllegalArgumentException("parameter '" + param + "' of " + layer.getClass().getSimpleName()
                    + " has no PyTorch counterpart");
        };
    }

    /**
     * Every parameter of the configuration as its PyTorch key and shape, in DL4J's parameter order. Computed from the
     * configuration alone (no weights are allocated).
     */
    public static Map<String, TorchParam> torchParams(ComputationGraphConfiguration conf) {
        Map<String, TorchParam> params = new LinkedHashMap<>();
        for (String vertexName : GraphOrder.topological(conf)) {
            if (!(conf.getVertices().get(vertexName) instanceof LayerVertex vertex)) {
                continue;
            }
            Layer layer = vertex.getLayerConf().getLayer();
            for (String param : layer.initializer().paramKeys(layer)) {
                long[] shape = torchShape(layer, param);
                boolean transposed = !(layer instanceof ConvolutionLayer) && layer instanceof FeedForwardLayer
                        && !(layer instanceof BatchNormalization) && param.equals("W");
                String key = vertexName + "." + torchName(layer, param);
                params.put(vertexName + "_" + param, new TorchParam(key, shape, transposed));
            }
        }
        return params;
    }

    private static long[] torchShape(Layer layer, String param) {
        if (layer instanceof BatchNormalization bn) {
            return new long[] {bn.getNOut()};
        }
        if (layer instanceof GroupedConvolution grouped) {
            return param.equals("W") ? GroupedConvolutionParamInitializer.weightShape(grouped) : new long[] {grouped.getNOut()};
        }
        if (layer instanceof ConvolutionLayer conv) {
            int[] k = conv.getKernelSize();
            return param.equals("W") ? new long[] {conv.getNOut(), conv.getNIn(), k[0], k[1]} : new long[] {conv.getNOut()};
        }
        if (layer instanceof FeedForwardLayer dense) {
            return param.equals("W") ? new long[] {dense.getNOut(), dense.getNIn()} : new long[] {dense.getNOut()};
        }
        throw new IllegalArgumentException("no PyTorch layout known for " + layer.getClass().getSimpleName());
    }
}
