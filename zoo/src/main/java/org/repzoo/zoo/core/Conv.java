package org.repzoo.zoo.core;

import org.nd4j.linalg.activations.Activation;

/**
 * A 2-D convolution as PyTorch's {@code nn.Conv2d} describes it (symmetric zero padding, floor output).
 * Built with {@link #of(int, int)} and the {@code with}-style methods; no positional booleans.
 */
public record Conv(int outChannels, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
                   int padHeight, int padWidth, boolean bias, Activation activation) {

    public Conv {
        if (outChannels < 1 || kernelHeight < 1 || kernelWidth < 1 || strideHeight < 1 || strideWidth < 1
                || padHeight < 0 || padWidth < 0) {
            throw new IllegalArgumentException("invalid convolution " + outChannels + " " + kernelHeight + "x"
                    + kernelWidth + " stride " + strideHeight + "x" + strideWidth + " pad " + padHeight + "x" + padWidth);
        }
    }

    /** A square kernel, stride 1, no padding, with bias, no activation. */
    public static Conv of(int outChannels, int kernel) {
        return new Conv(outChannels, kernel, kernel, 1, 1, 0, 0, true, Activation.IDENTITY);
    }

    public Conv kernel(int height, int width) {
        return new Conv(outChannels, height, width, strideHeight, strideWidth, padHeight, padWidth, bias, activation);
    }

    public Conv stride(int stride) {
        return new Conv(outChannels, kernelHeight, kernelWidth, stride, stride, padHeight, padWidth, bias, activation);
    }

    public Conv padding(int padding) {
        return padding(padding, padding);
    }

    public Conv padding(int height, int width) {
        return new Conv(outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, height, width, bias, activation);
    }

    /** PyTorch's {@code bias=False}, used before a BatchNorm. */
    public Conv noBias() {
        return new Conv(outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padHeight, padWidth, false, activation);
    }

    /** Fuses the following ReLU into the layer; the ReLU module has no parameters, so no key is lost. */
    public Conv relu() {
        return new Conv(outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padHeight, padWidth, bias, Activation.RELU);
    }
}
