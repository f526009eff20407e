package org.repzoo.zoo.resnet;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.Pool;
import org.repzoo.zoo.core.SqueezeExcitation;

/**
 * ResNet (He et al., "Deep Residual Learning for Image Recognition", 2016) as torchvision 0.14's
 * {@code models/resnet.py} builds it: v1.5, with the stride on the bottleneck's 3x3 convolution; names
 * {@code conv1}, {@code bn1}, {@code maxpool}, {@code layerS.B.conv1/bn1/...}, {@code layerS.B.downsample.0/1},
 * {@code avgpool}, {@code fc}. torchvision reuses one {@code relu} module per block; here its three uses are the
 * parameter-free vertices {@code layerS.B.relu1}, {@code relu2} (after {@code bn1}, {@code bn2}) and {@code relu}
 * (after the sum {@code layerS.B.add}).
 *
 * <p>ResNeXt (Xie et al., "Aggregated Residual Transformations for Deep Neural Networks", CVPR 2017) is the same net
 * with a grouped 3x3 {@code conv2} of {@code floor(planes * widthPerGroup / 64) * groups} channels, as torchvision's
 * {@code resnext*} and timm's {@code cardinality}/{@code base_width}.
 *
 * <p>SE-ResNet and SE-ResNeXt (Hu et al., "Squeeze-and-Excitation Networks", CVPR 2018) follow timm's
 * {@code models/resnet.py} with {@code attn_layer='se'}, whose ResNet keeps torchvision's layout and names: timm's
 * {@code SEModule} is the submodule {@code layerS.B.se} ({@code se.fc1}, {@code se.fc2}, 1x1 convolutions with bias;
 * {@code fc1} has {@code make_divisible(channels / 16, 8)} outputs), applied to the output of the branch's last
 * BatchNorm before the shortcut is added. timm's parameter-free module names differ ({@code act1}, {@code global_pool})
 * but no weight key does.
 */
public record ResNet(ResNetConfig config) implements Architecture {

    private static final double BN_EPS = 1e-5;
    private static final int[] STAGE_PLANES = {64, 128, 256, 512};

    @Override
    public ComputationGraphConfiguration configure(String name, ModelOptions options) {
        GraphScope root = GraphScope.start(name, options.input(), options.seed());
        String x = root.conv("conv1", GraphScope.INPUT, Conv.of(64, 7).stride(2).padding(3).noBias());
        x = root.relu("relu", root.batchNorm("bn1", x, BN_EPS));
        x = root.pool("maxpool", x, Pool.max(3, 2).padding(1));
        for (int stage = 0; stage < STAGE_PLANES.length; stage++) {
            GraphScope layer = root.child("layer" + (stage + 1));
            for (int b = 0; b < config.depths().get(stage); b++) {
                int stride = stage > 0 && b == 0 ? 2 : 1;
                x = config.block() == ResNetConfig.Block.BASIC
                        ? basicBlock(layer.child(b), x, STAGE_PLANES[stage], stride)
                        : bottleneck(layer.child(b), x, STAGE_PLANES[stage], stride);
            }
        }
        x = root.globalAvgPool("avgpool", x);
        long features = (long) STAGE_PLANES[3] * config.block().expansion;
        return root.build(root.logits("fc", x, options.numClasses(), Inits.linearDefault(features)));
    }

    private String basicBlock(GraphScope scope, String input, int planes, int stride) {
        String x = scope.conv("conv1", input, Conv.of(planes, 3).stride(stride).padding(1).noBias());
        x = scope.relu("relu1", scope.batchNorm("bn1", x, BN_EPS));
        x = scope.conv("conv2", x, Conv.of(planes, 3).padding(1).noBias());
        x = attention(scope, scope.batchNorm("bn2", x, BN_EPS));
        return residual(scope, input, x, planes, stride);
    }

    private String bottleneck(GraphScope scope, String input, int planes, int stride) {
        int width = planes * config.widthPerGroup() / 64 * config.groups();
        String x = scope.conv("conv1", input, Conv.of(width, 1).noBias());
        x = scope.relu("relu1", scope.batchNorm("bn1", x, BN_EPS));
        x = scope.conv("conv2", x, Conv.of(width, 3).stride(stride).padding(1).groups(config.groups()).noBias());
        x = scope.relu("relu2", scope.batchNorm("bn2", x, BN_EPS));
        x = scope.conv("conv3", x, Conv.of(planes * ResNetConfig.Block.BOTTLENECK.expansion, 1).noBias());
        x = attention(scope, scope.batchNorm("bn3", x, BN_EPS));
        return residual(scope, input, x, planes * ResNetConfig.Block.BOTTLENECK.expansion, stride);
    }

    /** The configured attention on a residual branch's output. */
    private String attention(GraphScope scope, String branch) {
        if (config.attention() == ResNetConfig.Attention.NONE) {
            return branch;
        }
        return scope.squeezeExcitation("se", branch, SqueezeExcitation.of(seReducedChannels(scope.channels(branch))));
    }

    /**
     * timm's {@code SEModule} width: {@code make_divisible(channels / 16, 8, round_limit=0)}, i.e. {@code channels / 16}
     * rounded half up to a multiple of 8, at least 8 (timm/layers/helpers.py).
     */
    static int seReducedChannels(int channels) {
        double reduced = channels / 16.0;
        return Math.max(8, (int) (reduced + 4) / 8 * 8);
    }

    /** Adds the shortcut (projected by {@code downsample} where the shape changes) and applies the ReLU. */
    private String residual(GraphScope scope, String input, String branch, int outChannels, int stride) {
        String shortcut = input;
        if (stride != 1 || scope.channels(input) != outChannels) {
            GraphScope downsample = scope.child("downsample");
            shortcut = downsample.conv("0", input, Conv.of(outChannels, 1).stride(stride).noBias());
            shortcut = downsample.batchNorm("1", shortcut, BN_EPS);
        }
        return scope.relu("relu", scope.add("add", branch, shortcut));
    }

    /**
     * What DL4J's weight inits cannot say: {@code nn.Linear}'s default bias U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for
     * {@code fc}, and {@code zero_init_residual} (gamma 0 on the last BN of every residual branch).
     */
    @Override
    public void initialize(ComputationGraph graph, ModelOptions options) {
        INDArray fcBias = graph.getParam("fc_b");
        double bound = 1.0 / Math.sqrt(graph.getParam("fc_W").size(0));
        fcBias.assign(Nd4j.rand(fcBias.dataType(), fcBias.shape()).muli(2 * bound).subi(bound));
        if (!options.zeroInitResidual()) {
            return;
        }
        String lastBn = config.block() == ResNetConfig.Block.BASIC ? "bn2" : "bn3";
        for (int stage = 0; stage < STAGE_PLANES.length; stage++) {
            for (int b = 0; b < config.depths().get(stage); b++) {
                graph.getParam("layer" + (stage + 1) + "." + b + "." + lastBn + "_gamma").assign(0);
            }
        }
    }
}
