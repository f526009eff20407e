package org.repzoo.training.engine;

import java.util.List;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.OneDnn;
import org.repzoo.zoo.core.Resizable;
import org.repzoo.zoo.repvgg.RepVgg;
import org.repzoo.zoo.repvgg.RepVggConfig;

/**
 * The network a run trains: a registered architecture at an input shape, optionally resized (blocks per stage,
 * width factor: architectures that are {@link Resizable}) and, for RepVGG, with fewer train-form branches (the
 * paper's ablation) or other stage strides (small inputs).
 *
 * @param name     registered model name
 * @param input    input shape; null: the entry's default
 * @param width    width factor (1: as registered)
 * @param depths   blocks per stage, or null for the registered depths
 * @param branches RepVGG train-form branches, or null for all
 * @param strides  RepVGG's first-block strides of stages 0-4, or null for the registered ones (all 2)
 */
public record ModelSpec(String name, InputShape input, double width, List<Integer> depths,
                        RepVggConfig.Branches branches, List<Integer> strides) {

    public ModelSpec {
        if (!(width > 0)) {
            throw new IllegalArgumentException("--width must be positive, got " + width);
        }
        if (strides != null && (strides.size() != 5 || strides.stream().anyMatch(s -> s == null || s < 1 || s > 2))) {
            throw new IllegalArgumentException("--strides takes 5 strides of 1 or 2 (stages 0-4), got " + strides);
        }
        depths = depths == null ? null : List.copyOf(depths);
        strides = strides == null ? null : List.copyOf(strides);
    }

    /** The registered strides. */
    public ModelSpec(String name, InputShape input, double width, List<Integer> depths,
                     RepVggConfig.Branches branches) {
        this(name, input, width, depths, branches, null);
    }

    public ModelEntry entry() {
        return Zoo.registry().get(name);
    }

    public InputShape inputShape() {
        return input == null ? entry().defaultInput() : input;
    }

    /** The architecture with the size and branch options applied. */
    public Architecture architecture() {
        Architecture architecture = entry().architecture();
        if (width != 1 || depths != null) {
            if (!(architecture instanceof Resizable resizable)) {
                throw new IllegalArgumentException("--width and --depths apply to resizable architectures (RepVGG); "
                        + name + " is not one");
            }
            architecture = resizable.resized(depths, width);
        }
        if (branches != null && branches != RepVggConfig.Branches.ALL) {
            if (!(architecture instanceof RepVgg repVgg) || repVgg.form() != RepVgg.Form.TRAIN) {
                throw new IllegalArgumentException("--branches applies to RepVGG's train form; " + name + " is not");
            }
            architecture = new RepVgg(repVgg.config().withBranches(branches), RepVgg.Form.TRAIN);
        }
        if (strides != null) {
            if (!(architecture instanceof RepVgg repVgg)) {
                throw new IllegalArgumentException("--strides applies to RepVGG; " + name + " is not");
            }
            architecture = new RepVgg(repVgg.config().withStrides(strides), repVgg.form());
        }
        return architecture;
    }

    public ComputationGraphConfiguration configure(int classes, long seed) {
        return architecture().configure(name, options(classes, seed));
    }

    /** Freshly initialised weights, on oneDNN. */
    public ComputationGraph init(int classes, long seed) {
        OneDnn.enable();
        Architecture architecture = architecture();
        ModelOptions options = options(classes, seed);
        ComputationGraph graph = new ComputationGraph(architecture.configure(name, options));
        graph.init();
        architecture.initialize(graph, options);
        return graph;
    }

    private ModelOptions options(int classes, long seed) {
        return ModelOptions.defaults().withClasses(classes).withInput(inputShape()).withSeed(seed);
    }

    /** For logs: {@code repvgg_a0 (width x0.25, depths 1,2,4,1) at 1x32x32}. */
    public String describe() {
        StringBuilder text = new StringBuilder(name);
        StringBuilder options = new StringBuilder();
        if (width != 1) {
            options.append("width x").append(width);
        }
        if (depths != null) {
            options.append(options.isEmpty() ? "" : ", ").append("depths ").append(joined(depths));
        }
        if (branches != null && branches != RepVggConfig.Branches.ALL) {
            options.append(options.isEmpty() ? "" : ", ").append("branches ").append(branches.name().toLowerCase());
        }
        if (strides != null) {
            options.append(options.isEmpty() ? "" : ", ").append("strides ").append(joined(strides));
        }
        if (!options.isEmpty()) {
            text.append(" (").append(options).append(')');
        }
        return text.append(" at ").append(inputShape()).toString();
    }

    private static String joined(List<Integer> values) {
        return values.stream().map(String::valueOf).collect(Collectors.joining(","));
    }
}
