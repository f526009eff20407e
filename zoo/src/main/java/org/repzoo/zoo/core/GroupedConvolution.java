package org.repzoo.zoo.core;

import java.util.Collection;
import java.util.EnumMap;
import java.util.Map;
import org.deeplearning4j.nn.api.ParamInitializer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.CacheMode;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.InputTypeUtil;
import org.deeplearning4j.nn.conf.layers.LayerValidation;
import org.deeplearning4j.nn.conf.memory.LayerMemoryReport;
import org.deeplearning4j.nn.conf.memory.MemoryReport;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.util.ConvolutionUtils;
import org.deeplearning4j.util.ValidationUtils;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * PyTorch's {@code nn.Conv2d(in, out, k, stride, padding, groups=g)}, which DL4J's {@link ConvolutionLayer} lacks:
 * ResNeXt's 32 and 64 groups (Xie et al., "Aggregated Residual Transformations for Deep Neural Networks", 2017),
 * RepVGG's g2/g4 variants (Ding et al., 2021) and Xception's depthwise convolutions (groups = channels, Chollet 2017). Input and output channels are split into {@code groups} equal parts and
 * part {@code i} of the output sees only part {@code i} of the input.
 *
 * <p>One weight parameter {@code W} of PyTorch's shape {@code [out, in/groups, kH, kW]} (and an optional bias
 * {@code b} of shape {@code [out]}), so a state_dict's {@code weight} loads as it is: no slicing or joining in the key
 * mapping. The runtime layer ({@code GroupedConvolutionLayer}) runs libnd4j's {@code conv2d}/{@code conv2d_bp} ops,
 * which use oneDNN on the {@code -onednn} native build in float precision whatever DL4J's helper setting.
 * Measured against a graph of per-group convolutions joined by a merge vertex and against a dense block-diagonal
 * {@code ConvolutionLayer}: see {@code docs/LAYERS.md}. One deviation from PyTorch: an infinite or NaN
 * input value can spread, as NaN, to a few neighbouring groups (those sharing a block-diagonal call).
 *
 * <p>Supported: any kernel, stride and symmetric padding in {@link ConvolutionMode#Truncate} (or {@code Strict}),
 * with or without bias, any activation (identity where a BatchNorm follows). Not supported (refused when the layer is
 * configured or instantiated): {@code Same} and {@code Causal} modes, dilation other than 1, and the NHWC data format:
 * activations are NCHW, as everywhere in RepZoo.
 *
 * <p>Extends {@link ConvolutionLayer} as DL4J's own depthwise and separable convolutions do, so DL4J's configuration
 * code (convolution mode defaults, input preprocessors, CNN shape inference) treats it as a convolution. Code that
 * reads a {@code ConvolutionLayer}'s weight shape must test for this class first: its weight has {@code nIn/groups}
 * input channels.
 */
public final class GroupedConvolution extends ConvolutionLayer {

    private int groups = 1;

    /** For Jackson, which fills the fields through the setters. */
    private GroupedConvolution() {
    }

    private GroupedConvolution(Builder builder) {
        super(builder);
        this.groups = builder.groups;
        checkGroups();
    }

    public int getGroups() {
        return groups;
    }

    private void setGroups(int groups) {
        this.groups = groups;
    }

    /** Input channels each output channel sees: the second dimension of the weight. */
    public long inChannelsPerGroup() {
        return nIn / groups;
    }

    /**
     * Groups per libnd4j call that the runtime layer plans for these channels. For the benchmarks in the bench module
     * ({@code org.repzoo.bench.rounds}), which print the plan beside the splits they force; models never need it.
     */
    public static int plannedGroupsPerCall(long inChannels, long outChannels, int groups) {
        return GroupedConvolutionLayer.plan(inChannels, outChannels, groups).groupsPerCall();
    }

    /**
     * Overrides an instantiated layer's plan with {@code groupsPerCall} groups per block-diagonal libnd4j call (also
     * for a depthwise layer). For the benchmarks in the bench module, which time every split against the default plan
     * from outside this package; the result equals the default plan's up to rounding.
     *
     * @param layer a graph's layer built from a {@link GroupedConvolution} ({@code graph.getLayer(name)})
     * @throws IllegalArgumentException if it is another kind of layer, or {@code groupsPerCall} does not divide its
     *                                  groups
     */
    public static void forceGroupsPerCall(org.deeplearning4j.nn.api.Layer layer, int groupsPerCall) {
        if (!(layer instanceof GroupedConvolutionLayer grouped)) {
            throw new IllegalArgumentException("not a GroupedConvolution layer: "
                    + (layer == null ? "null" : layer.getClass().getName()));
        }
        grouped.groupsPerCall(groupsPerCall);
    }

    @Override
    public GroupedConvolution clone() {
        return (GroupedConvolution) super.clone();
    }

    @Override
    public org.deeplearning4j.nn.api.Layer instantiate(NeuralNetConfiguration conf,
            Collection<TrainingListener> trainingListeners, int layerIndex, INDArray layerParamsView,
            boolean initializeParams, DataType networkDataType) {
        LayerValidation.assertNInNOutSet("GroupedConvolution", getLayerName(), layerIndex, getNIn(), getNOut());
        checkGroups();
        checkSupported();
        GroupedConvolutionLayer layer = new GroupedConvolutionLayer(conf, networkDataType);
        layer.setListeners(trainingListeners);
        layer.setIndex(layerIndex);
        layer.setParamsViewArray(layerParamsView);
        layer.setParamTable(initializer().init(conf, layerParamsView, initializeParams));
        layer.setConf(conf);
        return layer;
    }

    @Override
    public ParamInitializer initializer() {
        return GroupedConvolutionParamInitializer.getInstance();
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType inputType) {
        if (!(inputType instanceof InputType.InputTypeConvolutional conv) || conv.getFormat() != CNN2DFormat.NCHW) {
            throw new IllegalStateException("GroupedConvolution " + getLayerName() + " needs an NCHW convolutional input, got "
                    + inputType);
        }
        if (conv.getChannels() % groups != 0) {
            throw new IllegalStateException("GroupedConvolution " + getLayerName() + ": " + conv.getChannels()
                    + " input channels cannot be split into " + groups + " groups");
        }
        checkSupported();
        return InputTypeUtil.getOutputTypeCnnLayers(inputType, kernelSize, stride, padding, dilation, convolutionMode,
                nOut, layerIndex, getLayerName(), CNN2DFormat.NCHW, GroupedConvolution.class);
    }

    @Override
    public void setNIn(InputType inputType, boolean override) {
        super.setNIn(inputType, override);
        if (cnn2dDataFormat != CNN2DFormat.NCHW) {
            throw new IllegalStateException("GroupedConvolution " + getLayerName() + " supports NCHW activations only, got "
                    + cnn2dDataFormat);
        }
        checkGroups();
    }

    /**
     * Parameters and updater state as usual. Working memory: the block-diagonal weights of the calls that join several
     * groups (fixed), in training also one such block's weight gradient, and, when the activation is not the identity,
     * the pre-activation that backprop recomputes (one output per example). oneDNN's own scratch memory is not visible
     * from here.
     */
    @Override
    public LayerMemoryReport getMemoryReport(InputType inputType) {
        InputType.InputTypeConvolutional output = (InputType.InputTypeConvolutional) getOutputType(-1, inputType);
        long parameters = initializer().numParams(this);
        long updaterState = getIUpdater() == null ? 0 : getIUpdater().stateSize(parameters);
        GroupedConvolutionLayer.Plan plan = GroupedConvolutionLayer.plan(nIn, nOut, groups);
        long blockLength = plan.groupsPerCall() == 1 || plan.depthwise() ? 0
                : plan.outChannelsPerCall() * plan.inChannelsPerCall() * kernelSize[0] * kernelSize[1];
        long inferenceFixed = blockLength * plan.calls();
        long preActivation = getActivationFn() instanceof ActivationIdentity ? 0 : output.arrayElementsPerExample();
        Map<CacheMode, Long> trainFixed = new EnumMap<>(CacheMode.class);
        Map<CacheMode, Long> trainPerExample = new EnumMap<>(CacheMode.class);
        for (CacheMode mode : CacheMode.values()) {
            trainFixed.put(mode, inferenceFixed + blockLength);
            trainPerExample.put(mode, preActivation);
        }
        return new LayerMemoryReport.Builder(layerName, GroupedConvolution.class, inputType, output)
                .standardMemory(parameters, updaterState)
                .workingMemory(inferenceFixed, 0, trainFixed, trainPerExample)
                .cacheMemory(MemoryReport.CACHE_MODE_ALL_ZEROS, MemoryReport.CACHE_MODE_ALL_ZEROS)
                .build();
    }

    private void checkGroups() {
        if (groups < 1) {
            throw new IllegalStateException("GroupedConvolution " + getLayerName() + ": groups must be positive, got " + groups);
        }
        if (nOut % groups != 0 || nIn % groups != 0) {
            throw new IllegalStateException("GroupedConvolution " + getLayerName() + ": nIn " + nIn + " and nOut " + nOut
                    + " must both be multiples of groups " + groups);
        }
    }

    private void checkSupported() {
        if (convolutionMode != ConvolutionMode.Truncate && convolutionMode != ConvolutionMode.Strict) {
            throw new IllegalStateException("GroupedConvolution " + getLayerName()
                    + " supports explicit padding only (ConvolutionMode Truncate or Strict), got " + convolutionMode);
        }
        if (dilation[0] != 1 || dilation[1] != 1) {
            throw new IllegalStateException("GroupedConvolution " + getLayerName() + " supports dilation 1 only");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GroupedConvolution other && other.groups == groups && super.equals(o);
    }

    @Override
    public int hashCode() {
        return 31 * super.hashCode() + groups;
    }

    @Override
    public String toString() {
        return "GroupedConvolution(groups=" + groups + ", " + super.toString() + ")";
    }

    /**
     * Builds a {@link GroupedConvolution}: {@code new GroupedConvolution.Builder(3, 3).groups(32).stride(2, 2)
     * .padding(1, 1).nIn(128).nOut(128).hasBias(false).build()}. The convolution mode defaults to Truncate.
     */
    public static final class Builder extends BaseConvBuilder<Builder> {

        private int groups = 1;

        public Builder(int kernelHeight, int kernelWidth) {
            super(new int[] {kernelHeight, kernelWidth});
            setConvolutionMode(ConvolutionMode.Truncate);
        }

        public Builder groups(int groups) {
            if (groups < 1) {
                throw new IllegalArgumentException("groups must be positive, got " + groups);
            }
            this.groups = groups;
            return this;
        }

        @Override
        protected boolean allowCausal() {
            return false;
        }

        @Override
        public void setKernelSize(int... kernelSize) {
            this.kernelSize = ValidationUtils.validate2NonNegative(kernelSize, false, "kernelSize");
        }

        @Override
        public void setStride(int... stride) {
            this.stride = ValidationUtils.validate2NonNegative(stride, false, "stride");
        }

        @Override
        public void setPadding(int... padding) {
            this.padding = ValidationUtils.validate2NonNegative(padding, false, "padding");
        }

        @Override
        public void setDilation(int... dilation) {
            this.dilation = ValidationUtils.validate2NonNegative(dilation, false, "dilation");
        }

        @Override
        public GroupedConvolution build() {
            ConvolutionUtils.validateConvolutionModePadding(convolutionMode, padding);
            ConvolutionUtils.validateCnnKernelStridePadding(kernelSize, stride, padding);
            return new GroupedConvolution(this);
        }
    }
}
