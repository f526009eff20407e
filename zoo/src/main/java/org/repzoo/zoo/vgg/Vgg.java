package org.repzoo.zoo.vgg;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.activations.Activation;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.Inits;
import org.repzoo.zoo.core.KeyAdapter;
import org.repzoo.zoo.core.KeyScheme;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.Pool;

/**
 * VGG (Simonyan &amp; Zisserman, "Very Deep Convolutional Networks for Large-Scale Image Recognition", 2015),
 * built as torchvision 0.14's {@code models/vgg.py}: {@code features.N} numbered as its {@code make_layers} numbers
 * them (ReLU and BatchNorm modules take an index each), {@code avgpool} (adaptive to 7x7), and
 * {@code classifier.0/3/6} with dropout 0.5 at {@code classifier.2/5}. ReLUs after a convolution or linear layer are
 * fused into it (parameter-free, they keep their index but need no vertex); after a BatchNorm they are vertices of
 * their own, {@code features.N} with torchvision's index.
 *
 * <p>Deviations, both where torchvision has no model: A-LRN's normalisation is {@code LocalResponseNorm(5,
 * alpha=1e-4, beta=0.75, k=2)} (Krizhevsky's values, PyTorch/Caffe's convention of alpha divided by the window),
 * and configuration C's 1x1 convolutions use padding 0.
 *
 * <p>timm's VGG names the head {@code pre_logits.fc1/fc2} (convolutions 512x7x7 and 1x1 holding the same weights as
 * {@code classifier.0/3}) and {@code head.fc}; its checkpoints load through a key adapter.
 */
public record Vgg(VggConfig config) implements Architecture {

    private static final double BN_EPS = 1e-5;
    private static final int POOLED = 7;
    private static final int HIDDEN = 4096;
    private static final double DROPOUT = 0.5;
    private static final double CLASSIFIER_STD = 0.01;

    private static final KeyAdapter TIMM = new KeyAdapter(List.of(
            KeyAdapter.Rule.linearAsConv("classifier.0", "pre_logits.fc1", 0, POOLED, POOLED),
            KeyAdapter.Rule.linearAsConv("classifier.3", "pre_logits.fc2", 0, 1, 1),
            KeyAdapter.Rule.rename("classifier.6", "head.fc")));

    @Override
    public Map<KeyScheme, KeyAdapter> keySchemes() {
        return Map.of(KeyScheme.TIMM, TIMM);
    }

    @Override
    public ComputationGraphConfiguration configure(String name, ModelOptions options) {
        GraphScope root = GraphScope.start(name, options.input(), options.seed());
        String x = features(root.child("features"), GraphScope.INPUT);
        x = root.adaptiveAvgPool("avgpool", x, POOLED, POOLED);
        x = classifier(root.child("classifier"), x, options.numClasses());
        return root.build(x);
    }

    private String features(GraphScope scope, String input) {
        String x = input;
        int index = 0;
        for (VggConfig.Layer layer : config.layers()) {
            switch (layer.kind()) {
                case MAX_POOL -> x = scope.pool(Integer.toString(index++), x, Pool.max(2, 2));
                case LRN -> x = scope.localResponseNorm(Integer.toString(index++), x, 5, 1e-4, 0.75, 2.0);
                case CONV -> {
                    Conv conv = Conv.of(layer.channels(), layer.kernel()).padding(layer.kernel() / 2);
                    if (config.normalization() == VggConfig.Normalization.BATCH_NORM) {
                        x = scope.conv(Integer.toString(index++), x, conv);
                        x = scope.batchNorm(Integer.toString(index++), x, BN_EPS);
                        x = scope.relu(Integer.toString(index++), x);
                    } else {
                        x = scope.conv(Integer.toString(index++), x, conv.relu());
                        index++; // the fused ReLU module's index
                    }
                }
            }
        }
        return x;
    }

    private static String classifier(GraphScope scope, String input, int classes) {
        String x = scope.linear("0", input, HIDDEN, Activation.RELU, Inits.normal(CLASSIFIER_STD));
        x = scope.dropout("2", x, DROPOUT);
        x = scope.linear("3", x, HIDDEN, Activation.RELU, Inits.normal(CLASSIFIER_STD));
        x = scope.dropout("5", x, DROPOUT);
        return scope.logits("6", x, classes, Inits.normal(CLASSIFIER_STD));
    }
}
