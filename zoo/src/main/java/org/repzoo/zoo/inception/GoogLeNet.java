package org.repzoo.zoo.inception;

import java.util.ArrayList;
import java.util.List;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.Pool;

/**
 * GoogLeNet, Inception v1 (Szegedy et al., "Going Deeper with Convolutions", CVPR 2015), with torchvision 0.14's
 * {@code models/googlenet.py} module names: {@code conv1}, {@code maxpool1}, {@code conv2}, {@code conv3},
 * {@code maxpool2}, {@code inception3a.branch1}, {@code inception3a.branch2.0/1}, {@code branch3.0/1},
 * {@code branch4.0} (the max pool) and {@code branch4.1}, ..., {@code avgpool}, {@code dropout}, {@code fc}; each
 * convolution unit is a scope with {@code conv}, {@code bn} and {@code relu} ({@code conv1.conv}, {@code conv1.bn}).
 * A module's concatenation is the vertex {@code inceptionXX.cat}. Max pools use ceil rounding as Caffe and
 * torchvision do.
 *
 * <p>The auxiliary classifiers {@code aux1} (after 4a) and {@code aux2} (after 4d) are network outputs after the main
 * classifier {@code fc}: DL4J's total score is the sum of the three losses, the auxiliary ones weighted 0.3, which is
 * the paper's training loss; inference reads only the first output (the evaluation module's {@code GraphModel}).
 * They are built unless {@code aux_logits} is off.
 *
 * <p>{@link GoogLeNetConfig#TORCHVISION} keeps torchvision's deviations from the paper, so that its weights load:
 * BatchNorm in every unit, a 3x3 kernel in each module's third branch (pytorch/vision#906), a 2x2 {@code maxpool4},
 * adaptive 4x4 pooling in the auxiliary classifiers, dropout 0.2. {@link GoogLeNetConfig#PAPER} is the paper's net as
 * Caffe's {@code bvlc_googlenet} lays it out: convolutions with bias, 5x5 third branches, LRN (size 5, alpha 1e-4,
 * beta 0.75, k 1) as {@code norm1} after {@code maxpool1} and {@code norm2} after {@code conv3}, 5x5/3 average
 * pooling in the auxiliary classifiers, dropout 0.4. Its deviations, none of which shows at 224x224: the final 7x7/1
 * average pool is a global one (defined at every input size), the auxiliary 5x5/3 pools round down where Caffe
 * rounds up, and its layers take the torchvision names.
 */
public record GoogLeNet(GoogLeNetConfig config) implements Architecture {

    private static final int STEM_REDUCE = 64;
    private static final int STEM_CHANNELS = 192;
    private static final double TORCHVISION_STD = 0.01;

    @Override
    public boolean supportsTransformInput() {
        return true;
    }

    @Override
    public ComputationGraphConfiguration configure(String name, ModelOptions options) {
        GraphScope root = GraphScope.start(name, options.input(), options.seed());
        String x = options.transformInput() ? TransformInput.apply(root, GraphScope.INPUT) : GraphScope.INPUT;
        x = unit(root.child("conv1"), x, Conv.of(STEM_REDUCE, 7).stride(2).padding(3));
        x = root.pool("maxpool1", x, Pool.max(3, 2).withCeilMode());
        boolean localResponseNorm = config.normalization() == GoogLeNetConfig.Normalization.LOCAL_RESPONSE;
        if (localResponseNorm) {
            x = root.localResponseNorm("norm1", x, 5, 1e-4, 0.75, 1.0);
        }
        x = unit(root.child("conv2"), x, Conv.of(STEM_REDUCE, 1));
        x = unit(root.child("conv3"), x, Conv.of(STEM_CHANNELS, 3).padding(1));
        if (localResponseNorm) {
            x = root.localResponseNorm("norm2", x, 5, 1e-4, 0.75, 1.0);
        }
        x = root.pool("maxpool2", x, Pool.max(3, 2).withCeilMode());
        List<String> auxOutputs = new ArrayList<>();
        for (GoogLeNetConfig.Step step : config.body()) {
            if (step instanceof GoogLeNetConfig.Module module) {
                x = inception(root.child(module.name()), x, module);
            } else if (step instanceof GoogLeNetConfig.MaxPool pool) {
                x = root.pool(pool.name(), x, Pool.max(pool.kernel(), 2).withCeilMode());
            } else if (step instanceof GoogLeNetConfig.Aux aux && options.auxLogits()) {
                auxOutputs.add(auxClassifier(root.child(aux.name()), x, options.numClasses()));
            }
        }
        x = root.globalAvgPool("avgpool", x);
        x = root.dropout("dropout", x, config.dropout());
        List<String> outputs = new ArrayList<>();
        outputs.add(root.logits("fc", x, options.numClasses(), Inits.normal(TORCHVISION_STD)));
        outputs.addAll(auxOutputs);
        return root.build(outputs.toArray(String[]::new));
    }

    /** A convolution unit: torchvision's BasicConv2d, or the paper's convolution with bias, ReLU ({@code X.conv}). */
    private String unit(GraphScope scope, String input, Conv spec) {
        return config.normalization() == GoogLeNetConfig.Normalization.BATCH_NORM
                ? BasicConv2d.apply(scope, input, spec)
                : scope.conv("conv", input, spec.relu());
    }

    private String inception(GraphScope scope, String input, GoogLeNetConfig.Module module) {
        String branch1 = unit(scope.child("branch1"), input, Conv.of(module.ch1x1(), 1));
        GraphScope scope2 = scope.child("branch2");
        String branch2 = unit(scope2.child(0), input, Conv.of(module.ch3x3Reduce(), 1));
        branch2 = unit(scope2.child(1), branch2, Conv.of(module.ch3x3(), 3).padding(1));
        GraphScope scope3 = scope.child("branch3");
        int kernel = config.branch3Kernel();
        String branch3 = unit(scope3.child(0), input, Conv.of(module.ch5x5Reduce(), 1));
        branch3 = unit(scope3.child(1), branch3, Conv.of(module.ch5x5(), kernel).padding(kernel / 2));
        GraphScope scope4 = scope.child("branch4");
        String branch4 = scope4.pool("0", input, Pool.max(3, 1).padding(1).withCeilMode());
        branch4 = unit(scope4.child(1), branch4, Conv.of(module.poolProj(), 1));
        return scope.concat("cat", branch1, branch2, branch3, branch4);
    }

    /**
     * Pool ({@code pool}), 1x1 convolution to 128 ({@code conv}), {@code fc1} with ReLU, {@code dropout}, {@code fc2}.
     */
    private String auxClassifier(GraphScope scope, String input, int classes) {
        String x = config.auxPool() == GoogLeNetConfig.AuxPool.ADAPTIVE_4X4
                ? scope.adaptiveAvgPool("pool", input, GoogLeNetConfig.AUX_POOLED, GoogLeNetConfig.AUX_POOLED)
                : scope.pool("pool", input, Pool.avg(5, 3));
        x = unit(scope.child("conv"), x, Conv.of(GoogLeNetConfig.AUX_CHANNELS, 1));
        x = scope.linear("fc1", x, GoogLeNetConfig.AUX_HIDDEN, Activation.RELU, Inits.normal(TORCHVISION_STD));
        x = scope.dropout("dropout", x, GoogLeNetConfig.AUX_DROPOUT);
        return scope.logits("fc2", x, classes, Inits.normal(TORCHVISION_STD), GoogLeNetConfig.AUX_LOSS_WEIGHT);
    }

    @Override
    public void initialize(ComputationGraph graph, ModelOptions options) {
        Architecture.super.initialize(graph, options);
        if (config.init() == GoogLeNetConfig.Init.TORCHVISION) {
            ReferenceInit.torchvision(graph, vertex -> TORCHVISION_STD);
        } else {
            ReferenceInit.caffe(graph);
        }
    }
}
