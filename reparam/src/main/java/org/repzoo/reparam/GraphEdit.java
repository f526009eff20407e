package org.repzoo.reparam;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * Rewrites a <em>copy</em> of a graph configuration: a group of vertices is replaced by one new layer, and whoever
 * consumed the group's output consumes the new layer instead. Global settings (data type, workspaces) are kept.
 */
final class GraphEdit {

    private final ComputationGraphConfiguration conf;
    /** Outputs already replaced, to their new vertex: a later edit's input may name one. */
    private final Map<String, String> renamed = new java.util.HashMap<>();

    GraphEdit(ComputationGraphConfiguration source) {
        this.conf = source.clone();
    }

    /**
     * Removes {@code replaced}, adds {@code layer} as vertex {@code name} fed by {@code input}, and points every
     * consumer of {@code oldOutput} (and the network outputs) at it. {@code template} supplies the per-layer
     * configuration (seed, data type) the new layer inherits.
     */
    void replace(Collection<String> replaced, String oldOutput, String name, Layer layer, String input, LayerVertex template) {
        if (conf.getVertices().containsKey(name) && !replaced.contains(name)) {
            throw new IllegalStateException("vertex " + name + " already exists");
        }
        for (String vertex : replaced) {
            conf.getVertices().remove(vertex);
            conf.getVertexInputs().remove(vertex);
        }
        NeuralNetConfiguration layerConf = template.getLayerConf().clone();
        layer.setLayerName(name);
        layerConf.setLayer(layer);
        conf.getVertices().put(name, new LayerVertex(layerConf, null));
        conf.getVertexInputs().put(name, new ArrayList<>(List.of(renamed.getOrDefault(input, input))));
        for (Map.Entry<String, List<String>> inputs : conf.getVertexInputs().entrySet()) {
            inputs.getValue().replaceAll(v -> v.equals(oldOutput) ? name : v);
        }
        conf.getNetworkOutputs().replaceAll(v -> v.equals(oldOutput) ? name : v);
        renamed.put(oldOutput, name);
    }

    ComputationGraphConfiguration result() {
        // the source's cached vertex order names vertices that are gone: let DL4J sort the edited graph again
        conf.setTopologicalOrder(null);
        conf.setTopologicalOrderStr(null);
        return conf;
    }

    /** The vertices that take {@code vertex} as an input. */
    static List<String> consumers(ComputationGraphConfiguration conf, String vertex) {
        List<String> consumers = new ArrayList<>();
        conf.getVertexInputs().forEach((name, inputs) -> {
            if (inputs.contains(vertex)) {
                consumers.add(name);
            }
        });
        return consumers;
    }

    /** The layer of a vertex, or null when it is not a layer. */
    static Layer layer(ComputationGraphConfiguration conf, String vertex) {
        GraphVertex v = conf.getVertices().get(vertex);
        return v instanceof LayerVertex lv ? lv.getLayerConf().getLayer() : null;
    }
}
