package org.repzoo.training.engine;

import java.util.List;
import java.util.stream.Collectors;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.BranchAblatable;
import org.repzoo.zoo.core.Graphs;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.Resizable;
import org.repzoo.zoo.core.Restridable;
import org.repzoo.zoo.core.SettingException;

/**
 * The network a run trains: a registered architecture at an input shape, optionally varied through the capabilities
 * its family offers: resized (blocks per stage, width factor: {@link Resizable}), trained with fewer branches (the
 * RepVGG paper's ablation: {@link BranchAblatable}) or with other stage strides (small inputs: {@link Restridable}).
 * A variation the architecture does not offer is a {@link SettingException} naming it.
 *
 * @param name     registered model name
 * @param input    input shape; null: the entry's default
 * @param width    width factor (1: as registered)
 * @param depths   blocks per stage, or null for the registered depths
 * @param branches the branch set to train with (lower case, as the architecture names it), or null for all
 * @param strides  the first stride of each stage, or null for the registered ones
 */
public record ModelSpec(String name, InputShape input, double width, List<Integer> depths, String branches,
                        List<Integer> strides) {

    public ModelSpec {
        if (!(width > 0)) {
            throw new SettingException("width", "must be positive, got " + width);
        }
        depths = depths == null ? null : List.copyOf(depths);
        strides = strides == null ? null : List.copyOf(strides);
    }

    /** The registered strides. */
    public ModelSpec(String name, InputShape input, double width, List<Integer> depths, String branches) {
        this(name, input, width, depths, branches, null);
    }

    public ModelEntry entry() {
        return Zoo.registry().get(name);
    }

    public InputShape inputShape() {
        return input == null ? entry().defaultInput() : input;
    }

    /** The architecture with the size, branch and stride options applied. */
    public Architecture architecture() {
        Architecture architecture = entry().architecture();
        if (width != 1 || depths != null) {
            if (!(architecture instanceof Resizable resizable)) {
                throw new SettingException(List.of("width", "depths"), "apply to resizable architectures (RepVGG); "
                        + name + " is not one");
            }
            architecture = resizable.resized(depths, width);
        }
        if (branches != null) {
            if (!(architecture instanceof BranchAblatable ablatable) || !ablatable.hasBranches()) {
                throw new SettingException("branches", "applies to architectures trained with removable branches"
                        + " (RepVGG's train form); " + name + " is not one");
            }
            architecture = ablatable.withBranches(branches);
        }
        if (strides != null) {
            if (!(architecture instanceof Restridable restridable)) {
                throw new SettingException("strides", "applies to architectures with movable stage strides (RepVGG); "
                        + name + " is not one");
            }
            architecture = restridable.withStrides(strides);
        }
        return architecture;
    }

    public ComputationGraphConfiguration configure(int classes, long seed) {
        return architecture().configure(name, options(classes, seed));
    }

    /** Freshly initialised weights, on oneDNN. */
    public ComputationGraph init(int classes, long seed) {
        return Graphs.build(architecture(), name, options(classes, seed));
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
        if (branches != null) {
            options.append(options.isEmpty() ? "" : ", ").append("branches ").append(branches);
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
