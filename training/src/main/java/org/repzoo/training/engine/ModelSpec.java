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
 * width factor: architectures that are {@link Resizable}) and, for RepVGG's train form, with fewer branches (the
 * paper's ablation).
 *
 * @param name     registered model name
 * @param input    input shape; null: the entry's default
 * @param width    width factor (1: as registered)
 * @param depths   blocks per stage, or null for the registered depths
 * @param branches RepVGG train-form branches, or null for all
 */
public record ModelSpec(String name, InputShape input, double width, List<Integer> depths,
                        RepVggConfig.Branches branches) {

    public ModelSpec {
        if (!(width > 0)) {
            throw new IllegalArgumentException("--width must be positive, got " + width);
        }
        depths = depths == null ? null : List.copyOf(depths);
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
            options.append(options.isEmpty() ? "" : ", ").append("depths ")
                    .append(depths.stream().map(String::valueOf).collect(Collectors.joining(",")));
        }
        if (branches != null && branches != RepVggConfig.Branches.ALL) {
            options.append(options.isEmpty() ? "" : ", ").append("branches ").append(branches.name().toLowerCase());
        }
        if (!options.isEmpty()) {
            text.append(" (").append(options).append(')');
        }
        return text.append(" at ").append(inputShape()).toString();
    }
}
