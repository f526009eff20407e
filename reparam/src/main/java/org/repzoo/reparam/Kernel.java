package org.repzoo.reparam;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A convolution's weights in PyTorch's layout: {@code weight [out, in/groups, kh, kw]} and {@code bias [out]}.
 * Every {@link KernelMath} function returns new arrays; none changes its arguments.
 */
public record Kernel(INDArray weight, INDArray bias) {

    public Kernel {
        if (weight.rank() != 4 || bias.rank() != 1 || bias.length() != weight.size(0)) {
            throw new IllegalArgumentException("kernel " + Arrays.toString(weight.shape()) + " with bias "
                    + Arrays.toString(bias.shape()));
        }
    }

    public long outChannels() {
        return weight.size(0);
    }
}
