package org.repzoo.zoo.inception;

import java.util.ArrayList;
import java.util.List;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Pool;

/**
 * One multi-branch module of Inception-v4 and Inception-ResNet-v2 (Szegedy et al., "Inception-v4, Inception-ResNet
 * and the Impact of Residual Connections on Learning", 2016) as data: branches that read the module's input, each a
 * chain of steps, concatenated in order. A step is a convolution unit (conv without bias, BatchNorm, ReLU: timm's
 * {@code ConvNormAct} / {@code BasicConv2d}) or a pooling; its name is timm's module path inside the module.
 *
 * <p>timm's naming is kept exactly: a branch of one step is the step itself ({@code branch0.conv}); a branch of
 * several is an {@code nn.Sequential} ({@code branch1.0.conv}, {@code branch1.1.conv}); Inception-C's branches are flat
 * attributes that fork ({@code branch1_0}, then {@code branch1_1a} and {@code branch1_1b} both reading it).
 *
 * @param branches the branches, in the order their outputs are concatenated
 */
public record InceptionV4Module(List<Branch> branches) {

    public InceptionV4Module {
        branches = List.copyOf(branches);
        if (branches.isEmpty()) {
            throw new IllegalArgumentException("a module needs at least one branch");
        }
    }

    public static InceptionV4Module of(Branch... branches) {
        return new InceptionV4Module(List.of(branches));
    }

    /** A named layer of a branch. */
    public record Step(String name, Layer layer) {
    }

    /** A convolution unit or a pooling. */
    public sealed interface Layer permits ConvUnit, Pooling {
    }

    /** Conv (no bias) + BatchNorm + ReLU; the spec's bias flag is ignored. */
    public record ConvUnit(Conv conv) implements Layer {
    }

    public record Pooling(Pool pool) implements Layer {
    }

    /**
     * A chain of steps; when {@code forks} is not empty, the branch's output is the concatenation of the forks, each
     * reading the chain's last step (Inception-C), and the chain itself is not concatenated.
     */
    public record Branch(List<Step> steps, List<Branch> forks) {

        public Branch {
            steps = List.copyOf(steps);
            forks = List.copyOf(forks);
            if (steps.isEmpty()) {
                throw new IllegalArgumentException("a branch needs at least one step");
            }
        }

        /** The same chain, its output split into the given forks. */
        public Branch fork(Branch... parts) {
            return new Branch(steps, List.of(parts));
        }
    }

    /** A branch of one step, named as the step: timm's {@code self.branch0 = conv_block(...)}. */
    public static Branch single(String name, Layer layer) {
        return new Branch(List.of(new Step(name, layer)), List.of());
    }

    /** An {@code nn.Sequential} branch: steps named {@code name.0}, {@code name.1}, ... */
    public static Branch sequential(String name, Layer... layers) {
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            steps.add(new Step(name + "." + i, layers[i]));
        }
        return new Branch(steps, List.of());
    }

    /** A chain of separately named steps (Inception-C's {@code branch2_0}, {@code branch2_1}, ...). */
    public static Branch chain(Step... steps) {
        return new Branch(List.of(steps), List.of());
    }

    public static Step step(String name, Layer layer) {
        return new Step(name, layer);
    }

    /** A conv unit with a square kernel, stride 1, no padding. */
    public static ConvUnit conv(int outChannels, int kernel) {
        return new ConvUnit(Conv.of(outChannels, kernel).noBias());
    }

    /** A conv unit with stride 2 and no padding ("V" in the paper's figures). */
    public static ConvUnit convStride2(int outChannels, int kernel) {
        return new ConvUnit(Conv.of(outChannels, kernel).stride(2).noBias());
    }

    /** A conv unit whose output keeps the input size: kernel {@code kh x kw}, padding {@code kh/2, kw/2}. */
    public static ConvUnit convSame(int outChannels, int kernelHeight, int kernelWidth) {
        return new ConvUnit(Conv.of(outChannels, 1).kernel(kernelHeight, kernelWidth)
                .padding(kernelHeight / 2, kernelWidth / 2).noBias());
    }

    /** {@code nn.MaxPool2d(3, stride=2)}: no padding, floor. */
    public static Pooling maxPoolStride2() {
        return new Pooling(Pool.max(3, 2));
    }

    /**
     * {@code nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)}: the border averages only the cells inside
     * the input, which is what DL4J's pooling (built-in and oneDNN) does with {@code avgPoolIncludePadInDivisor(false)}.
     */
    public static Pooling avgPoolSame() {
        return new Pooling(Pool.avg(3, 1).padding(1).excludePadding());
    }

    /** How a conv unit's vertices are named: timm's {@code ConvNormAct} ({@code bn.act}) or {@code BasicConv2d} ({@code relu}). */
    public enum Naming {
        CONV_NORM_ACT("bn.act"), BASIC_CONV2D("relu");

        private final String relu;

        Naming(String relu) {
            this.relu = relu;
        }
    }

    /**
     * Adds this module's vertices under {@code scope} and returns the name of its output, the concatenation
     * {@code concat} (a parameter-free vertex; timm calls {@code torch.cat} in {@code forward}).
     */
    public String add(GraphScope scope, String input, Naming naming, double bnEps) {
        List<String> outputs = new ArrayList<>();
        for (Branch branch : branches) {
            addBranch(scope, input, branch, naming, bnEps, outputs);
        }
        return outputs.size() == 1 ? outputs.get(0) : scope.concat("concat", outputs.toArray(String[]::new));
    }

    private static void addBranch(GraphScope scope, String input, Branch branch, Naming naming, double bnEps,
                                  List<String> outputs) {
        String x = input;
        for (Step step : branch.steps()) {
            x = addLayer(scope, step.name(), x, step.layer(), naming, bnEps);
        }
        if (branch.forks().isEmpty()) {
            outputs.add(x);
            return;
        }
        for (Branch fork : branch.forks()) {
            addBranch(scope, x, fork, naming, bnEps, outputs);
        }
    }

    /** One conv unit ({@code NAME.conv}, {@code NAME.bn}, ReLU) or pooling ({@code NAME}) in {@code scope}. */
    static String addLayer(GraphScope scope, String name, String input, Layer layer, Naming naming, double bnEps) {
        if (layer instanceof Pooling pooling) {
            return scope.pool(name, input, pooling.pool());
        }
        GraphScope unit = scope.child(name);
        String x = unit.conv("conv", input, ((ConvUnit) layer).conv().noBias());
        x = unit.batchNorm("bn", x, bnEps);
        return unit.relu(naming.relu, x);
    }
}
