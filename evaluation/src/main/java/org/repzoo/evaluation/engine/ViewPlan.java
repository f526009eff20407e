package org.repzoo.evaluation.engine;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.evaluation.protocol.View;
import org.repzoo.evaluation.protocol.WeightedView;

/**
 * The distinct views of one image over all the protocols of a run, so that a view several protocols share (the
 * centre crop at 256 is in single, ten-crop, multi-crop and googlenet-144) runs once, and, per protocol, which
 * distinct views it averages with which weights.
 */
final class ViewPlan {

    private final List<View> views;
    private final int[][] indices;
    private final double[][] weights;

    private ViewPlan(List<View> views, int[][] indices, double[][] weights) {
        this.views = views;
        this.indices = indices;
        this.weights = weights;
    }

    static ViewPlan of(List<Protocol> protocols, int width, int height) {
        List<View> views = new ArrayList<>();
        Map<View, Integer> position = new HashMap<>();
        int[][] indices = new int[protocols.size()][];
        double[][] weights = new double[protocols.size()][];
        for (int p = 0; p < protocols.size(); p++) {
            List<WeightedView> weighted = protocols.get(p).views(width, height);
            indices[p] = new int[weighted.size()];
            weights[p] = new double[weighted.size()];
            for (int v = 0; v < weighted.size(); v++) {
                View view = weighted.get(v).view();
                Integer at = position.get(view);
                if (at == null) {
                    at = views.size();
                    position.put(view, at);
                    views.add(view);
                }
                indices[p][v] = at;
                weights[p][v] = weighted.get(v).weight();
            }
        }
        return new ViewPlan(List.copyOf(views), indices, weights);
    }

    List<View> views() {
        return views;
    }

    /** Distinct-view indices of protocol {@code p}'s views, in the protocol's order. */
    int[] indices(int p) {
        return indices[p];
    }

    double[] weights(int p) {
        return weights[p];
    }
}
