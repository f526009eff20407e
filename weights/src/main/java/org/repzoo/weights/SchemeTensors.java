package org.repzoo.weights;

import java.util.LinkedHashMap;
import java.util.Map;
import org.repzoo.weights.format.StoredTensor;
import org.repzoo.zoo.core.KeyAdapter;

/** A state_dict renamed between a key scheme and the graph's names by a {@link KeyAdapter}, reshaped as it says. */
public final class SchemeTensors {

    private SchemeTensors() {
    }

    /** A state_dict in the adapter's scheme, renamed (and reshaped) to the graph's names, in the same order. */
    public static Map<String, StoredTensor> toGraph(KeyAdapter adapter, Map<String, ? extends StoredTensor> scheme) {
        Map<String, StoredTensor> graph = new LinkedHashMap<>();
        scheme.forEach((key, tensor) -> {
            KeyAdapter.Rule rule = adapter.ruleFor(key, true);
            StoredTensor value = tensor;
            if (rule != null && rule.kernelTail() != null && key.endsWith(".weight") && tensor.shape().length == 4) {
                long[] s = tensor.shape();
                value = new ReshapedTensor(tensor, new long[] {s[0], s[1] * s[2] * s[3]});
            }
            graph.put(adapter.toGraphKey(key), value);
        });
        return graph;
    }

    /** Graph tensors renamed (and reshaped) to the adapter's scheme, in the same order. */
    public static Map<String, StoredTensor> fromGraph(KeyAdapter adapter, Map<String, ? extends StoredTensor> graph) {
        Map<String, StoredTensor> scheme = new LinkedHashMap<>();
        graph.forEach((key, tensor) -> {
            KeyAdapter.Rule rule = adapter.ruleFor(key, false);
            StoredTensor value = tensor;
            if (rule != null && rule.kernelTail() != null && key.endsWith(".weight") && tensor.shape().length == 2) {
                long[] s = tensor.shape();
                long[] tail = rule.kernelTail();
                long channels = tail[0] == 0 ? s[1] / (tail[1] * tail[2]) : tail[0];
                value = new ReshapedTensor(tensor, new long[] {s[0], channels, tail[1], tail[2]});
            }
            scheme.put(adapter.fromGraphKey(key), value);
        });
        return scheme;
    }
}
