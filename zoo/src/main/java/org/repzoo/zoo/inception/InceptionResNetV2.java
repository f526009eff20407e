package org.repzoo.zoo.inception;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.inception.InceptionResNetV2Config.Residual;
import org.repzoo.zoo.inception.InceptionV4Module.Naming;

/**
 * Inception-ResNet-v2 (Szegedy, Ioffe, Vanhoucke and Alemi, "Inception-v4, Inception-ResNet and the Impact of Residual
 * Connections on Learning", AAAI 2017, arXiv:1602.07261, Figures 15-19) as timm builds it
 * ({@code timm/models/inception_resnet_v2.py}, ported from Google's TF-slim model and weights): conv units
 * {@code NAME.conv} (no bias), {@code NAME.bn} (eps 1e-3), {@code NAME.relu} (timm's {@code BasicConv2d}); residual
 * blocks {@code repeat.K}, {@code repeat_1.K}, {@code repeat_2.K}, {@code block8} with branches, the 1x1
 * {@code conv2d} (with bias), then the parameter-free vertices {@code scale} (DL4J's ScaleVertex: 0.17, 0.10, 0.20),
 * {@code add} (the block's input) and {@code relu}; global average pooling {@code global_pool}; the classifier
 * {@code classif}. 55,843,464 parameters at 1000 classes, timm's 55.84M.
 *
 * <p>Deviations from the paper, all timm's (TF-slim's, whose released weights timm's are): the stem is TF-slim's
 * (conv2d_1a ... maxpool_5a, then mixed_5b: 35x35x320) instead of Figure 3's (35x35x384), so the grids are 35x35x320,
 * 17x17x1088 and 8x8x2080 instead of Figure 15's 384, 1152 and 2144 channels; the last Inception-ResNet-C block
 * ({@code block8}) has scale 1 and no ReLU, and a 1x1 conv unit {@code conv2d_7b} (2080 to 1536) precedes the
 * pooling. timm's dropout before the classifier (0 by default) is not added.
 */
public record InceptionResNetV2(InceptionResNetV2Config config) implements Architecture {

    private static final double BN_EPS = 1e-3;
    private static final Naming NAMING = Naming.BASIC_CONV2D;

    @Override
    public ComputationGraphConfiguration configure(String name, ModelOptions options) {
        GraphScope root = GraphScope.start(name, options.input(), options.seed());
        String x = GraphScope.INPUT;
        for (InceptionResNetV2Config.Part part : config.parts()) {
            if (part instanceof InceptionResNetV2Config.Layer layer) {
                x = InceptionV4Module.addLayer(root, layer.step().name(), x, layer.step().layer(), NAMING, BN_EPS);
            } else if (part instanceof InceptionResNetV2Config.Mixed mixed) {
                x = mixed.module().add(root.child(mixed.name()), x, NAMING, BN_EPS);
            } else if (part instanceof InceptionResNetV2Config.Repeat repeat) {
                for (int i = 0; i < repeat.count(); i++) {
                    x = residual(root.child(repeat.name()).child(i), x, repeat.block());
                }
            } else if (part instanceof InceptionResNetV2Config.Block block) {
                x = residual(root.child(block.name()), x, block.block());
            }
        }
        x = root.globalAvgPool("global_pool", x);
        return root.build(root.logits("classif", x, options.numClasses(), Inits.linearDefault(config.features())));
    }

    /** {@code relu(conv2d(cat(branches(x))) * scale + x)}, the ReLU only where the block has one. */
    private static String residual(GraphScope scope, String input, Residual block) {
        String branches = block.branches().add(scope, input, NAMING, BN_EPS);
        String x = scope.conv("conv2d", branches, Conv.of(block.channels(), 1));
        x = scope.add("add", scope.scale("scale", x, block.scale()), input);
        return block.afterSum() == InceptionResNetV2Config.AfterSum.RELU ? scope.relu("relu", x) : x;
    }
}
