package org.repzoo.zoo.core;

import java.util.Optional;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;

/**
 * The one place that turns a {@link Conv} spec into a DL4J layer (DL4J's {@link ConvolutionLayer} for one group,
 * {@link GroupedConvolution} for more) and reads a spec back from a layer, so that graph builders and graph
 * transforms (re-parameterisation, BN folding) make identical layers.
 */
public final class ConvLayers {

    private ConvLayers() {
    }

    /** The layer for a spec with {@code inChannels} inputs. */
    public static ConvolutionLayer create(Conv spec, long inChannels) {
        return spec.groups() > 1
                ? configure(new GroupedConvolution.Builder(spec.kernelHeight(), spec.kernelWidth()).groups(spec.groups()),
                        spec, inChannels).build()
                : configure(new ConvolutionLayer.Builder(spec.kernelHeight(), spec.kernelWidth()), spec, inChannels).build();
    }

    private static <B extends ConvolutionLayer.BaseConvBuilder<B>> B configure(B builder, Conv spec, long inChannels) {
        return builder.stride(spec.strideHeight(), spec.strideWidth())
                .padding(spec.padHeight(), spec.padWidth())
                .convolutionMode(ConvolutionMode.Truncate)
                .nIn(inChannels)
                .nOut(spec.outChannels())
                .hasBias(spec.bias())
                .biasInit(0)
                .activation(spec.activation())
                .weightInit(Inits.kaimingNormalFanOut(spec.outChannels(), spec.kernelHeight(), spec.kernelWidth()));
    }

    /**
     * The spec of a plain or grouped 2-D convolution layer as RepZoo builds them (truncate mode, no dilation,
     * identity or ReLU activation); empty for anything else, including DL4J's other ConvolutionLayer subclasses.
     */
    public static Optional<Conv> describe(Layer layer) {
        if (layer == null || !(layer.getClass() == ConvolutionLayer.class || layer.getClass() == GroupedConvolution.class)) {
            return Optional.empty();
        }
        ConvolutionLayer conv = (ConvolutionLayer) layer;
        int[] dilation = conv.getDilation();
        Activation activation = activation(conv.getActivationFn());
        if (conv.getConvolutionMode() != ConvolutionMode.Truncate || dilation[0] != 1 || dilation[1] != 1 || activation == null) {
            return Optional.empty();
        }
        int groups = conv instanceof GroupedConvolution grouped ? grouped.getGroups() : 1;
        Conv spec = new Conv((int) conv.getNOut(), conv.getKernelSize()[0], conv.getKernelSize()[1], conv.getStride()[0],
                conv.getStride()[1], conv.getPadding()[0], conv.getPadding()[1], groups, conv.hasBias(), activation);
        return Optional.of(spec);
    }

    public static long inputChannels(Layer layer) {
        return ((ConvolutionLayer) layer).getNIn();
    }

    public static boolean hasBias(Layer layer) {
        return ((ConvolutionLayer) layer).hasBias();
    }

    private static Activation activation(IActivation fn) {
        if (fn == null || fn instanceof ActivationIdentity) {
            return Activation.IDENTITY;
        }
        return fn instanceof ActivationReLU ? Activation.RELU : null;
    }
}
