package org.repzoo.zoo.nin;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.nd4j.linalg.activations.Activation;
import org.repzoo.zoo.core.Architecture;
import org.repzoo.zoo.core.Conv;
import org.repzoo.zoo.core.GraphScope;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.Pool;

/**
 * Network-in-Network (Lin, Chen &amp; Yan, ICLR 2014), ImageNet model, as the Caffe model zoo's prototxt defines it
 * (no PyTorch reference exists, so vertex names are the Caffe layer names and weight keys follow them):
 * mlpconv blocks separated by 3x3/2 max pools with Caffe's ceil rounding, dropout 0.5 before the last block,
 * whose last 1x1 convolution has one channel per class, then ReLU and global average pooling ({@code pool4}).
 * The output is therefore the class scores without a fully connected layer.
 *
 * <p>Deviation: weights use Kaiming-normal (fan-out) initialisation, as the rest of the zoo, not the prototxt's
 * fixed Gaussians. The last block's 1x1 convolution has {@code numClasses} outputs; it feeds the classifier's
 * loss through global pooling.
 */
public record Nin(NinConfig config) implements Architecture {

    private static final double DROPOUT = 0.5;

    @Override
    public ComputationGraphConfiguration configure(String name, ModelOptions options) {
        GraphScope root = GraphScope.start(name, options.input(), options.seed());
        String x = GraphScope.INPUT;
        int last = config.blocks().size() - 1;
        for (int i = 0; i <= last; i++) {
            NinConfig.MlpConv block = config.blocks().get(i);
            if (i == last) {
                x = root.dropout("drop", x, DROPOUT);
            }
            x = root.conv(block.conv(), x, Conv.of(block.channels(), block.kernel())
                    .stride(block.stride()).padding(block.padding()).relu());
            x = root.conv(block.cccpA(), x, Conv.of(block.cccpChannels(), 1).relu());
            int outChannels = i == last ? options.numClasses() : block.cccpChannels();
            x = root.conv(block.cccpB(), x, Conv.of(outChannels, 1).relu());
            if (i < last) {
                x = root.pool("pool" + (i + 1), x, Pool.max(3, 2).withCeilMode());
            }
        }
        x = root.globalAvgPool("pool4", x);
        return root.build(root.loss("loss", x));
    }
}
