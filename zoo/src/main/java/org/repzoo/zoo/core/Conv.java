package org.repzoo.zoo.core;

import org.nd4j.linalg.activations.Activation;

/**
 * A 2-D convolution as PyTorch's {@code nn.Conv2d} describes it (symmetric zero padding, floor output, {@code groups}).
 * Built with {@link #of(int, int)} and the {@code with}-style methods; no positional booleans.
 */
public record Conv(int outChannels, int kernelHeight, int kernelWidth, int strideHeight, int strideWidth,
                   int padHeight, int padWidth, int groups, boolean bias, Activation activation) {

    public Conv {
        if (outChannels < 1 || kernelHeight < 1 || kernelWidth < 1 || strideHeight < 1 || strideWidth < 1
                || padHeight < 0 || padWidth < 0) {
            throw new IllegalArgumentException("invalid convolution " + outChannels + " " + kernelHeight + "x"
                    + kernelWidth + " stride " + strideHeight + "x" + strideWidth + " pad " + padHeight + "x" + padWidth);
        }
        if (groups < 1 || outChannels % groups != 0) {
            throw new IllegalArgumentException("groups must be positive and divide the " + outChannels
                    + " output channels, got " + groups);
        }
    }

    /** A square kernel, stride 1, no padding, one group, with bias, no activation. */
    public static Conv of(int outChannels, int kernel) {
        return new Conv(outChannels, kernel, kernel, 1, 1, 0, 0, 1, true, Activation.IDENTITY);
    }

    public Conv kernel(int height, int width) {
        return new Conv(outChannels, height, width, strideHeight, strideWidth, padHeight, padWidth, groups, bias, activation);
    }

    public Conv stride(int stride) {
        return new Conv(outChannels, kernelHeight, kernelWidth, stride, stride, padHeight, padWidth, groups, bias, activation);
    }

    public Conv padding(int padding) {
        return padding(padding, padding);
    }

    public Conv padding(int height, int width) {
        return new Conv(outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, height, width, groups, bias, activation);
    }

    /**
     * PyTorch's {@code groups}: input and output channels split into this many groups, each convolved on its own.
     * One group is an ordinary convolution (DL4J's {@code ConvolutionLayer}); more use {@link GroupedConvolution}.
     */
    public Conv groups(int groups) {
        return new Conv(outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padHeight, padWidth, groups, bias, activation);
    }

    /** With a bias (what folding a BatchNorm into the convolution produces). */
    public Conv withBias() {
        return new Conv(outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padHeight, padWidth, groups, true, activation);
    }

    /** PyTorch's {@code bias=False}, used before a BatchNorm. */
    public Conv noBias() {
        return new Conv(outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padHeight, padWidth, groups, false, activation);
    }

    /** Fuses the following ReLU into the layer; the ReLU module has no parameters, so no key is lost. */
    public Conv relu() {
        return new Conv(outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padHeight, padWidth, groups, bias, Activation.RELU);
    }

    /** Fuses a following sigmoid (a squeeze-excitation gate) into the layer. */
    public Conv sigmoid() {
        return new Conv(outChannels, kernelHeight, kernelWidth, strideHeight, strideWidth, padHeight, padWidth, groups, bias, Activation.SIGMOID);
    }
}
