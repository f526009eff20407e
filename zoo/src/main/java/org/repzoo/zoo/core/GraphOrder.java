package org.repzoo.zoo.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;

/** Topological order of a configuration's vertices (DL4J fills its own only in {@code ComputationGraph.init()}). */
public final class GraphOrder {

    private GraphOrder() {
    }

    /** Inputs first; among ready vertices, the order in which they were added. */
    public static List<String> topological(ComputationGraphConfiguration conf) {
        Map<String, List<String>> inputs = conf.getVertexInputs();
        Set<String> all = new LinkedHashSet<>(conf.getNetworkInputs());
        all.addAll(conf.getVertices().keySet());
        Map<String, Integer> pending = new HashMap<>();
        Map<String, List<String>> consumers = new HashMap<>();
        for (String vertex : all) {
            List<String> in = inputs.getOrDefault(vertex, List.of());
            pending.put(vertex, in.size());
            for (String source : in) {
                consumers.computeIfAbsent(source, k -> new ArrayList<>()).add(vertex);
            }
        }
        Deque<String> ready = new ArrayDeque<>();
        all.stream().filter(v -> pending.get(v) == 0).forEach(ready::add);
        List<String> order = new ArrayList<>(all.size());
        while (!ready.isEmpty()) {
            String vertex = ready.poll();
            order.add(vertex);
            for (String consumer : consumers.getOrDefault(vertex, List.of())) {
                if (pending.merge(consumer, -1, Integer::sum) == 0) {
                    ready.add(consumer);
                }
            }
        }
        if (order.size() != all.size()) {
            throw new IllegalStateException("graph has a cycle or a missing input");
        }
        return order;
    }
}
