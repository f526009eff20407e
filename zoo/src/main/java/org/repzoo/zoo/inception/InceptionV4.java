package org.repzoo.zoo.inception;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.inception.InceptionV4Module.ConvUnit;
import org.repzoo.zoo.inception.InceptionV4Module.Naming;

/**
 * Inception-v4 (Szegedy, Ioffe, Vanhoucke and Alemi, "Inception-v4, Inception-ResNet and the Impact of Residual
 * Connections on Learning", AAAI 2017, arXiv:1602.07261, Figure 9) as timm builds it ({@code timm/models/inception_v4.py},
 * ported from Google's TF-slim model and weights): names {@code features.N} for the stem's conv units and the modules,
 * each conv unit {@code .conv} (no bias), {@code .bn} (eps 1e-3) and the ReLU {@code .bn.act} (timm's
 * {@code ConvNormAct}, whose BatchNormAct2d holds the activation); branches as in {@link InceptionV4Module}; global
 * average pooling {@code global_pool}; the classifier {@code last_linear}. 42,679,816 parameters at 1000 classes,
 * timm's 42.68M.
 *
 * <p>Average pools in Inception-A/B/C are {@code AvgPool2d(3, 1, padding=1, count_include_pad=False)}: the border
 * divides by the cells inside the input, which DL4J's pooling does too (also through oneDNN). Deviation: none in the
 * layout; timm's dropout before the classifier ({@code drop_rate}, 0 by default) is not added.
 */
public record InceptionV4(InceptionV4Config config) implements Architecture {

    static final double BN_EPS = 1e-3;

    @Override
    public ComputationGraphConfiguration configure(String name, ModelOptions options) {
        GraphScope root = GraphScope.start(name, options.input(), options.seed());
        GraphScope features = root.child("features");
        String x = GraphScope.INPUT;
        int index = 0;
        for (ConvUnit unit : config.stem()) {
            x = InceptionV4Module.addLayer(features, Integer.toString(index++), x, unit, Naming.CONV_NORM_ACT, BN_EPS);
        }
        for (InceptionV4Config.Stage stage : config.stages()) {
            for (int i = 0; i < stage.repeats(); i++) {
                x = stage.module().add(features.child(index++), x, Naming.CONV_NORM_ACT, BN_EPS);
            }
        }
        x = root.globalAvgPool("global_pool", x);
        return root.build(root.logits("last_linear", x, options.numClasses(), Inits.linearDefault(config.features())));
    }
}
