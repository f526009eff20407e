package org.repzoo.zoo.inception;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.InputTooSmallException;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.Pool;

/**
 * Inception v3 (Szegedy et al., "Rethinking the Inception Architecture for Computer Vision", CVPR 2016) with
 * torchvision 0.14's {@code models/inception.py} names: {@code Conv2d_1a_3x3} ... {@code Conv2d_4a_3x3},
 * {@code Mixed_5b} ... {@code Mixed_7c} with their branches ({@code Mixed_6b.branch7x7dbl_3}), {@code AuxLogits}
 * ({@code conv0}, {@code conv1}, {@code fc}), {@code avgpool}, {@code dropout}, {@code fc}. Every convolution is a
 * {@code BasicConv2d} ({@code conv}, {@code bn} with eps 0.001, {@code relu}). torchvision's functional pools are the
 * vertices {@code Mixed_5b.avg_pool}, {@code Mixed_6a.max_pool} and {@code AuxLogits.avg_pool}; a block's
 * concatenation is {@code Mixed_5b.cat} (InceptionE's two inner concatenations are flattened into it, which keeps the
 * channel order).
 *
 * <p>The 3x3/1 average pools of blocks A, C and E pad by 1 and count the padding in the divisor
 * ({@code count_include_pad=True}): they are built as an explicit zero padding ({@code Mixed_5b.avg_pool.pad}) and an
 * unpadded pool, because DL4J's oneDNN helper always leaves padding out of the divisor.
 *
 * <p>The auxiliary classifier ({@code AuxLogits}, after {@code Mixed_6e}) is the second network output, weighted 0.4 in
 * the total score; inference reads the first. Its 5x5/3 pool and 5x5 convolution need a 17x17 map, so a graph with it
 * needs 299x299 input or more (torchvision's 75x75 minimum holds only without it: {@code aux_logits} off).
 */
public record InceptionV3(InceptionV3Config config) implements Architecture {

    private static final double DEFAULT_STD = 0.1;
    private static final double AUX_CONV1_STD = 0.01;
    private static final double AUX_FC_STD = 0.001;
    private static final String AUX_CONV1 = "conv1";
    private static final String AUX_FC = "fc";

    @Override
    public boolean supportsTransformInput() {
        return true;
    }

    @Override
    public ComputationGraphConfiguration configure(String name, ModelOptions options) {
        GraphScope root = GraphScope.start(name, options.input(), options.seed());
        String x = options.transformInput() ? TransformInput.apply(root, GraphScope.INPUT) : GraphScope.INPUT;
        List<String> auxOutputs = new ArrayList<>();
        for (InceptionV3Config.Step step : config.layers()) {
            if (step instanceof InceptionV3Config.BasicConv conv) {
                x = BasicConv2d.apply(root.child(conv.name()), x,
                        Conv.of(conv.channels(), conv.kernel()).stride(conv.stride()).padding(conv.padding()));
            } else if (step instanceof InceptionV3Config.MaxPool pool) {
                x = root.pool(pool.name(), x, Pool.max(3, 2));
            } else if (step instanceof InceptionV3Config.Mixed mixed) {
                x = mixed(root.child(mixed.name()), x, mixed);
            } else if (step instanceof InceptionV3Config.Aux aux && options.auxLogits()) {
                try {
                    auxOutputs.add(auxClassifier(root.child(aux.name()), x, options.numClasses()));
                } catch (InputTooSmallException e) {
                    throw new InputTooSmallException(e.getMessage() + " (the auxiliary classifier needs 299x299 or more;"
                            + " without it, aux_logits off, the net takes 75x75 and more)");
                }
            }
        }
        x = root.globalAvgPool("avgpool", x);
        x = root.dropout("dropout", x, config.dropout());
        List<String> outputs = new ArrayList<>();
        outputs.add(root.logits("fc", x, options.numClasses(), Inits.normal(DEFAULT_STD)));
        outputs.addAll(auxOutputs);
        return root.build(outputs.toArray(String[]::new));
    }

    private static String mixed(GraphScope scope, String input, InceptionV3Config.Mixed block) {
        return switch (block.kind()) {
            case A -> inceptionA(scope, input, block.width());
            case B -> inceptionB(scope, input);
            case C -> inceptionC(scope, input, block.width());
            case D -> inceptionD(scope, input);
            case E -> inceptionE(scope, input);
        };
    }

    private static String unit(GraphScope scope, String name, String input, Conv spec) {
        return BasicConv2d.apply(scope.child(name), input, spec);
    }

    /** {@code F.avg_pool2d(x, 3, stride=1, padding=1)}, counting the padding. */
    private static String averagePool(GraphScope scope, String input) {
        return scope.pool("avg_pool", input, Pool.avg(3, 1).padding(1));
    }

    private static String inceptionA(GraphScope scope, String x, int poolFeatures) {
        String branch1x1 = unit(scope, "branch1x1", x, Conv.of(64, 1));
        String branch5x5 = unit(scope, "branch5x5_1", x, Conv.of(48, 1));
        branch5x5 = unit(scope, "branch5x5_2", branch5x5, Conv.of(64, 5).padding(2));
        String dbl = unit(scope, "branch3x3dbl_1", x, Conv.of(64, 1));
        dbl = unit(scope, "branch3x3dbl_2", dbl, Conv.of(96, 3).padding(1));
        dbl = unit(scope, "branch3x3dbl_3", dbl, Conv.of(96, 3).padding(1));
        String pool = unit(scope, "branch_pool", averagePool(scope, x), Conv.of(poolFeatures, 1));
        return scope.concat("cat", branch1x1, branch5x5, dbl, pool);
    }

    private static String inceptionB(GraphScope scope, String x) {
        String branch3x3 = unit(scope, "branch3x3", x, Conv.of(384, 3).stride(2));
        String dbl = unit(scope, "branch3x3dbl_1", x, Conv.of(64, 1));
        dbl = unit(scope, "branch3x3dbl_2", dbl, Conv.of(96, 3).padding(1));
        dbl = unit(scope, "branch3x3dbl_3", dbl, Conv.of(96, 3).stride(2));
        String pool = scope.pool("max_pool", x, Pool.max(3, 2));
        return scope.concat("cat", branch3x3, dbl, pool);
    }

    private static String inceptionC(GraphScope scope, String x, int c7) {
        String branch1x1 = unit(scope, "branch1x1", x, Conv.of(192, 1));
        String branch7x7 = unit(scope, "branch7x7_1", x, Conv.of(c7, 1));
        branch7x7 = unit(scope, "branch7x7_2", branch7x7, oneBySeven(c7));
        branch7x7 = unit(scope, "branch7x7_3", branch7x7, sevenByOne(192));
        String dbl = unit(scope, "branch7x7dbl_1", x, Conv.of(c7, 1));
        dbl = unit(scope, "branch7x7dbl_2", dbl, sevenByOne(c7));
        dbl = unit(scope, "branch7x7dbl_3", dbl, oneBySeven(c7));
        dbl = unit(scope, "branch7x7dbl_4", dbl, sevenByOne(c7));
        dbl = unit(scope, "branch7x7dbl_5", dbl, oneBySeven(192));
        String pool = unit(scope, "branch_pool", averagePool(scope, x), Conv.of(192, 1));
        return scope.concat("cat", branch1x1, branch7x7, dbl, pool);
    }

    private static String inceptionD(GraphScope scope, String x) {
        String branch3x3 = unit(scope, "branch3x3_1", x, Conv.of(192, 1));
        branch3x3 = unit(scope, "branch3x3_2", branch3x3, Conv.of(320, 3).stride(2));
        String branch7x7x3 = unit(scope, "branch7x7x3_1", x, Conv.of(192, 1));
        branch7x7x3 = unit(scope, "branch7x7x3_2", branch7x7x3, oneBySeven(192));
        branch7x7x3 = unit(scope, "branch7x7x3_3", branch7x7x3, sevenByOne(192));
        branch7x7x3 = unit(scope, "branch7x7x3_4", branch7x7x3, Conv.of(192, 3).stride(2));
        String pool = scope.pool("max_pool", x, Pool.max(3, 2));
        return scope.concat("cat", branch3x3, branch7x7x3, pool);
    }

    private static String inceptionE(GraphScope scope, String x) {
        String branch1x1 = unit(scope, "branch1x1", x, Conv.of(320, 1));
        String branch3x3 = unit(scope, "branch3x3_1", x, Conv.of(384, 1));
        String branch3x3a = unit(scope, "branch3x3_2a", branch3x3, oneByThree(384));
        String branch3x3b = unit(scope, "branch3x3_2b", branch3x3, threeByOne(384));
        String dbl = unit(scope, "branch3x3dbl_1", x, Conv.of(448, 1));
        dbl = unit(scope, "branch3x3dbl_2", dbl, Conv.of(384, 3).padding(1));
        String dblA = unit(scope, "branch3x3dbl_3a", dbl, oneByThree(384));
        String dblB = unit(scope, "branch3x3dbl_3b", dbl, threeByOne(384));
        String pool = unit(scope, "branch_pool", averagePool(scope, x), Conv.of(192, 1));
        return scope.concat("cat", branch1x1, branch3x3a, branch3x3b, dblA, dblB, pool);
    }

    private static Conv oneBySeven(int channels) {
        return Conv.of(channels, 1).kernel(1, 7).padding(0, 3);
    }

    private static Conv sevenByOne(int channels) {
        return Conv.of(channels, 1).kernel(7, 1).padding(3, 0);
    }

    private static Conv oneByThree(int channels) {
        return Conv.of(channels, 1).kernel(1, 3).padding(0, 1);
    }

    private static Conv threeByOne(int channels) {
        return Conv.of(channels, 1).kernel(3, 1).padding(1, 0);
    }

    /** {@code avg_pool2d(5, stride=3)}, {@code conv0} (1x1, 128), {@code conv1} (5x5, 768), global pool, {@code fc}. */
    private String auxClassifier(GraphScope scope, String input, int classes) {
        String x = scope.pool("avg_pool", input, Pool.avg(5, 3));
        x = unit(scope, "conv0", x, Conv.of(128, 1));
        x = unit(scope, AUX_CONV1, x, Conv.of(768, 5));
        x = scope.globalAvgPool("avgpool", x);
        return scope.logits(AUX_FC, x, classes, Inits.normal(AUX_FC_STD), config.auxLossWeight());
    }

    /** torchvision's init: std 0.1, except the auxiliary classifier's {@code conv1} (0.01) and {@code fc} (0.001). */
    @Override
    public void initialize(ComputationGraph graph, ModelOptions options) {
        Architecture.super.initialize(graph, options);
        ReferenceInit.torchvision(graph, this::initStd);
    }

    private double initStd(String vertex) {
        for (InceptionV3Config.Step step : config.layers()) {
            if (step instanceof InceptionV3Config.Aux aux) {
                if (vertex.equals(aux.name() + "." + AUX_CONV1 + ".conv")) {
                    return AUX_CONV1_STD;
                }
                if (vertex.equals(aux.name() + "." + AUX_FC)) {
                    return AUX_FC_STD;
                }
            }
        }
        return DEFAULT_STD;
    }
}
