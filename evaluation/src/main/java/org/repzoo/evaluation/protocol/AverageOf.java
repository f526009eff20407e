package org.repzoo.evaluation.protocol;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The equal-weight average of several protocols' posteriors: VGG's {@code dense+multi-crop} (Simonyan &amp; Zisserman
 * 2015, §4.3, "averaging their soft-max outputs"; docs/PROTOCOLS.md §1.5), {@code p = (p_dense + p_multicrop) / 2}.
 * Each part keeps its own internal weights, so the 6 dense views weigh as much as the 150 crops together.
 */
public record AverageOf(String name, List<Protocol> parts) implements Protocol {

    public AverageOf {
        parts = List.copyOf(parts);
        if (parts.size() < 2) {
            throw new IllegalArgumentException(name + ": an average needs at least two protocols");
        }
    }

    @Override
    public List<Integer> scales() {
        Set<Integer> scales = new LinkedHashSet<>();
        parts.forEach(part -> scales.addAll(part.scales()));
        return List.copyOf(scales);
    }

    @Override
    public int crop() {
        return parts.stream().mapToInt(Protocol::crop).max().orElseThrow();
    }

    @Override
    public List<WeightedView> views(int width, int height) {
        List<WeightedView> views = new ArrayList<>();
        for (Protocol part : parts) {
            for (WeightedView view : part.views(width, height)) {
                views.add(new WeightedView(view.view(), view.weight() / parts.size()));
            }
        }
        return views;
    }

    @Override
    public String description() {
        return "the mean of " + String.join(" and ", parts.stream().map(p -> "[" + p.name() + ": " + p.description()
                + "]").toList());
    }
}
