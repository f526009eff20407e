package org.repzoo.zoo.core;

import java.util.Arrays;
import org.deeplearning4j.exception.DL4JInvalidInputException;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.BaseLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Runtime of {@link GroupedConvolution}. The groups are convolved in {@link Plan#calls()} calls of libnd4j's
 * {@code conv2d} (forward) and {@code conv2d_bp} (backward); each call reads a channel slice of the input and writes a
 * channel slice of the output, both as views (no copies, no concatenation).
 *
 * <p>A call covers {@link Plan#groupsPerCall()} consecutive groups. With one group per call it uses the weight's rows
 * of that group directly. oneDNN's cost per call hardly shrinks below 16 channels (measured: a 4-channel call costs a
 * third of a 16-channel one, which does 16 times the work), so narrow groups share one call with a block-diagonal
 * weight: the groups' weights on the diagonal, exact zeros elsewhere. The zeros add nothing to the sums, so the result
 * is the grouped convolution's (up to float summation order); only an infinite or NaN input leaks, as NaN, into the
 * other groups of its call. Backward takes the diagonal blocks of the call's dense weight gradient. The plan depends on
 * the channel counts only; it was chosen from the measurements in {@code docs/notes/2026-11-25-grouped-convolution.md}.
 *
 * <p>A depthwise convolution (one input and one output channel per group, as in Xception's and MobileNet's separable
 * convolutions) is one call of libnd4j's {@code depthwise_conv2d}/{@code depthwise_conv2d_bp} instead. oneDNN takes
 * that op only with its weight format 0, {@code [kH, kW, C, 1]} (with format 1, {@code [1, C, kH, kW]}, which is
 * PyTorch's {@code [C, 1, kH, kW]} in C order, libnd4j falls back to a generic loop, measured 10-30 times slower), so
 * the weight is copied into that layout for each call and the weight gradient copied back: C x kH x kW values, nothing
 * next to the activations. Measurements in {@code docs/notes/2026-11-25-separable-convolution.md}.
 *
 * <p>Workspaces: the output is created in {@link ArrayType#ACTIVATIONS}, the input gradient in
 * {@link ArrayType#ACTIVATION_GRAD}, scratch arrays in the working-memory workspaces; the block-diagonal weights are
 * kept out of any workspace and reused (their off-diagonal zeros never change).
 */
final class GroupedConvolutionLayer extends BaseLayer<GroupedConvolution> {

    /**
     * Channels below which a call is too narrow for oneDNN and groups are joined into block-diagonal calls. Measured
     * (docs/notes/2026-11-25-grouped-convolution.md): 8 to 32 channels per call is fastest for 32 groups of 2 to 32
     * channels, with 1 or 2 threads; wider calls waste more multiply-adds on the zeros than they save in per-call cost.
     */
    static final long MIN_CHANNELS_PER_CALL = 16;

    private static final int NCHW = 0;
    private static final int WEIGHTS_OUT_IN_KH_KW = 1;
    private static final int WEIGHTS_KH_KW_IN_MULTIPLIER = 0;

    private Plan plan;
    private INDArray[] blockWeights;
    /** A depthwise layer's weight and weight gradient in libnd4j's [kH, kW, C, 1] layout, reused across calls. */
    private INDArray depthwiseKernel;
    private INDArray depthwiseKernelGradient;

    GroupedConvolutionLayer(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
        GroupedConvolution layer = (GroupedConvolution) conf.getLayer();
        this.plan = plan(layer.getNIn(), layer.getNOut(), layer.getGroups());
    }

    /** How the groups are split into calls; {@code depthwise}: one libnd4j depthwise call for all groups. */
    record Plan(int groups, int groupsPerCall, long inChannelsPerGroup, long outChannelsPerGroup, boolean depthwise) {

        int calls() {
            return groups / groupsPerCall;
        }

        long inChannelsPerCall() {
            return inChannelsPerGroup * groupsPerCall;
        }

        long outChannelsPerCall() {
            return outChannelsPerGroup * groupsPerCall;
        }
    }

    /**
     * The fewest groups per call (a divisor of {@code groups}) whose input and output channels reach
     * {@link #MIN_CHANNELS_PER_CALL}; all groups in one call if none does.
     */
    static Plan plan(long inChannels, long outChannels, int groups) {
        long in = inChannels / groups;
        long out = outChannels / groups;
        if (in == 1 && out == 1 && groups > 1) {
            return new Plan(groups, groups, in, out, true);
        }
        for (int perCall = 1; perCall < groups; perCall++) {
            if (groups % perCall == 0 && Math.min(in, out) * perCall >= MIN_CHANNELS_PER_CALL) {
                return new Plan(groups, perCall, in, out, false);
            }
        }
        return new Plan(groups, groups, in, out, false);
    }

    /** Overrides the plan (block-diagonal calls, also for a depthwise layer); for the benchmarks and tests. */
    void groupsPerCall(int groupsPerCall) {
        if (groupsPerCall < 1 || plan.groups() % groupsPerCall != 0) {
            throw new IllegalArgumentException(groupsPerCall + " does not divide " + plan.groups() + " groups");
        }
        plan = new Plan(plan.groups(), groupsPerCall, plan.inChannelsPerGroup(), plan.outChannelsPerGroup(), false);
        blockWeights = null;
    }

    @Override
    public Type type() {
        return Type.CONVOLUTIONAL;
    }

    @Override
    public boolean isPretrainLayer() {
        return false;
    }

    @Override
    public boolean hasBias() {
        return layerConf().hasBias();
    }

    @Override
    public void setParams(INDArray params) {
        setParams(params, 'c'); // the weight is c order, as in ConvolutionLayer
    }

    @Override
    public void fit(INDArray input, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("GroupedConvolution is trained as part of a network");
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(false);
        applyDropOutIfNecessary(training, workspaceMgr);
        INDArray z = preOutput(training, ArrayType.ACTIVATIONS, workspaceMgr);
        return layerConf().getActivationFn().getActivation(z, training);
    }

    private INDArray preOutput(boolean training, ArrayType outputType, LayerWorkspaceMgr workspaceMgr) {
        INDArray x = checkedInput();
        INDArray weights = getParamWithNoise(GroupedConvolutionParamInitializer.WEIGHT_KEY, training, workspaceMgr);
        INDArray bias = hasBias() ? getParamWithNoise(GroupedConvolutionParamInitializer.BIAS_KEY, training, workspaceMgr) : null;
        int[] outSize = outputSize(x);
        INDArray z = workspaceMgr.createUninitialized(outputType, dataType,
                new long[] {x.size(0), layerConf().getNOut(), outSize[0], outSize[1]}, 'c');
        if (plan.depthwise()) {
            INDArray kernel = depthwiseKernel(weights);
            INDArray[] inputs = bias == null ? new INDArray[] {x, kernel} : new INDArray[] {x, kernel, bias};
            Nd4j.exec(DynamicCustomOp.builder("depthwise_conv2d")
                    .addIntegerArguments(intArguments(WEIGHTS_KH_KW_IN_MULTIPLIER)).addInputs(inputs).addOutputs(z).build());
            return z;
        }
        for (int call = 0; call < plan.calls(); call++) {
            DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d")
                    .addIntegerArguments(intArguments(WEIGHTS_OUT_IN_KH_KW));
            INDArray callInput = channels(x, call, plan.inChannelsPerCall());
            INDArray callWeights = callWeights(weights, call);
            if (bias == null) {
                op.addInputs(callInput, callWeights);
            } else {
                op.addInputs(callInput, callWeights, rows(bias, call, plan.outChannelsPerCall()));
            }
            op.addOutputs(channels(z, call, plan.outChannelsPerCall()));
            Nd4j.exec(op.build());
        }
        return z;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        assertInputSet(true);
        INDArray x = checkedInput();
        if (epsilon.dataType() != dataType) {
            epsilon = epsilon.castTo(dataType);
        }
        INDArray weights = getParamWithNoise(GroupedConvolutionParamInitializer.WEIGHT_KEY, true, workspaceMgr);
        INDArray bias = hasBias() ? getParamWithNoise(GroupedConvolutionParamInitializer.BIAS_KEY, true, workspaceMgr) : null;
        IActivation activation = layerConf().getActivationFn();
        INDArray delta = activation instanceof ActivationIdentity ? epsilon
                : activation.backprop(preOutput(true, ArrayType.BP_WORKING_MEM, workspaceMgr), epsilon).getFirst();

        INDArray weightGradient = gradientViews.get(GroupedConvolutionParamInitializer.WEIGHT_KEY);
        INDArray biasGradient = gradientViews.get(GroupedConvolutionParamInitializer.BIAS_KEY);
        INDArray inputGradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, dataType, x.shape(), 'c');
        if (plan.depthwise()) {
            DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("depthwise_conv2d_bp")
                    .addIntegerArguments(intArguments(WEIGHTS_KH_KW_IN_MULTIPLIER));
            INDArray kernel = depthwiseKernel(weights);
            if (bias == null) {
                op.addInputs(x, kernel, delta).addOutputs(inputGradient, depthwiseKernelGradient);
            } else {
                op.addInputs(x, kernel, bias, delta).addOutputs(inputGradient, depthwiseKernelGradient, biasGradient);
            }
            Nd4j.exec(op.build());
            weightGradient.assign(depthwiseKernelGradient.permute(2, 3, 0, 1));
            return gradients(weightGradient, bias == null ? null : biasGradient, inputGradient);
        }
        INDArray blockGradient = plan.groupsPerCall() == 1 ? null
                : workspaceMgr.createUninitialized(ArrayType.BP_WORKING_MEM, dataType, blockShape(), 'c');
        for (int call = 0; call < plan.calls(); call++) {
            INDArray callInput = channels(x, call, plan.inChannelsPerCall());
            INDArray callWeights = callWeights(weights, call);
            INDArray callDelta = channels(delta, call, plan.outChannelsPerCall());
            INDArray callInputGradient = channels(inputGradient, call, plan.inChannelsPerCall());
            INDArray callWeightGradient = blockGradient != null ? blockGradient
                    : rows(weightGradient, call, plan.outChannelsPerCall());
            DynamicCustomOp.DynamicCustomOpsBuilder op = DynamicCustomOp.builder("conv2d_bp")
                    .addIntegerArguments(intArguments(WEIGHTS_OUT_IN_KH_KW));
            if (bias == null) {
                op.addInputs(callInput, callWeights, callDelta).addOutputs(callInputGradient, callWeightGradient);
            } else {
                op.addInputs(callInput, callWeights, rows(bias, call, plan.outChannelsPerCall()), callDelta)
                        .addOutputs(callInputGradient, callWeightGradient, rows(biasGradient, call, plan.outChannelsPerCall()));
            }
            Nd4j.exec(op.build());
            if (blockGradient != null) {
                for (int i = 0; i < plan.groupsPerCall(); i++) {
                    int group = call * plan.groupsPerCall() + i;
                    rows(weightGradient, group, plan.outChannelsPerGroup()).assign(diagonalBlock(blockGradient, i));
                }
            }
        }

        return gradients(weightGradient, bias == null ? null : biasGradient, inputGradient);
    }

    private Pair<Gradient, INDArray> gradients(INDArray weightGradient, INDArray biasGradient, INDArray inputGradient) {
        Gradient gradient = new DefaultGradient();
        if (biasGradient != null) {
            gradient.setGradientFor(GroupedConvolutionParamInitializer.BIAS_KEY, biasGradient);
        }
        gradient.setGradientFor(GroupedConvolutionParamInitializer.WEIGHT_KEY, weightGradient, 'c');
        weightNoiseParams.clear();
        return new Pair<>(gradient, backpropDropOutIfPresent(inputGradient));
    }

    /**
     * The depthwise weight [C, 1, kH, kW] copied into libnd4j's format 0, [kH, kW, C, 1], in arrays kept out of any
     * workspace and reused (the gradient's too).
     */
    private INDArray depthwiseKernel(INDArray weights) {
        long[] shape = weights.shape();
        if (depthwiseKernel == null || depthwiseKernel.dataType() != dataType) {
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                long[] kernelShape = {shape[2], shape[3], shape[0], shape[1]};
                depthwiseKernel = Nd4j.create(dataType, kernelShape, 'c');
                depthwiseKernelGradient = Nd4j.create(dataType, kernelShape, 'c');
            }
        }
        return depthwiseKernel.assign(weights.permute(2, 3, 0, 1));
    }

    /** The weight of one call: the group's rows of W, or the block-diagonal weight of its groups. */
    private INDArray callWeights(INDArray weights, int call) {
        if (plan.groupsPerCall() == 1) {
            return rows(weights, call, plan.outChannelsPerGroup());
        }
        if (blockWeights == null || blockWeights[0].dataType() != dataType) {
            blockWeights = new INDArray[plan.calls()];
            try (MemoryWorkspace ignored = Nd4j.getMemoryManager().scopeOutOfWorkspaces()) {
                for (int i = 0; i < blockWeights.length; i++) {
                    blockWeights[i] = Nd4j.zeros(dataType, blockShape());
                }
            }
        }
        INDArray block = blockWeights[call];
        for (int i = 0; i < plan.groupsPerCall(); i++) {
            int group = call * plan.groupsPerCall() + i;
            diagonalBlock(block, i).assign(rows(weights, group, plan.outChannelsPerGroup()));
        }
        return block;
    }

    private long[] blockShape() {
        int[] kernel = layerConf().getKernelSize();
        return new long[] {plan.outChannelsPerCall(), plan.inChannelsPerCall(), kernel[0], kernel[1]};
    }

    private INDArray diagonalBlock(INDArray block, int index) {
        long out = plan.outChannelsPerGroup();
        long in = plan.inChannelsPerGroup();
        return range(range(block, 0, index * out, out), 1, index * in, in);
    }

    /** Channels [index*width, (index+1)*width) of an NCHW array, as a view (the array itself when that is all). */
    private static INDArray channels(INDArray array, int index, long width) {
        return array.size(1) == width ? array : range(array, 1, index * width, width);
    }

    /** Entries [index*width, (index+1)*width) along the first dimension, as a view. */
    private static INDArray rows(INDArray array, int index, long width) {
        return array.size(0) == width ? array : range(array, 0, index * width, width);
    }

    /**
     * Entries [start, start+length) along one dimension, as a view. Not {@code INDArray.get}: in ND4J M2.1 it returns
     * an empty array for a view whose buffer offset reaches its own length (it compares the two), which every
     * parameter and gradient view of a layer past the first few is.
     */
    static INDArray range(INDArray array, int dimension, long start, long length) {
        if (start < 0 || length < 1 || start + length > array.size(dimension)) {
            throw new IllegalArgumentException("range [" + start + ", " + (start + length) + ") outside dimension " + dimension
                    + " of " + Arrays.toString(array.shape()));
        }
        long[] shape = array.shape().clone(); // shape() and stride() return the array's own fields
        long[] stride = array.stride().clone();
        shape[dimension] = length;
        return Nd4j.create(array.data(), shape, stride, array.offset() + start * stride[dimension],
                Shape.getOrder(shape, stride, -1));
    }

    private int[] intArguments(int weightFormat) {
        GroupedConvolution layer = layerConf();
        int[] kernel = layer.getKernelSize();
        int[] stride = layer.getStride();
        int[] padding = layer.getPadding();
        int[] dilation = layer.getDilation();
        return new int[] {kernel[0], kernel[1], stride[0], stride[1], padding[0], padding[1], dilation[0], dilation[1],
                0, NCHW, weightFormat};
    }

    private INDArray checkedInput() {
        if (input.rank() != 4 || input.size(1) != layerConf().getNIn()) {
            throw new DL4JInvalidInputException("GroupedConvolution " + layerConf().getLayerName() + " expects an NCHW input with "
                    + layerConf().getNIn() + " channels, got shape " + Arrays.toString(input.shape()) + " " + layerId());
        }
        return input.castTo(dataType);
    }

    private int[] outputSize(INDArray x) {
        GroupedConvolution layer = layerConf();
        return ConvolutionUtils.getOutputSize(x, layer.getKernelSize(), layer.getStride(), layer.getPadding(),
                layer.getConvolutionMode(), layer.getDilation(), CNN2DFormat.NCHW);
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArray(INDArray maskArray, MaskState currentMaskState, int minibatchSize) {
        if (maskArray == null) {
            return new Pair<>(null, currentMaskState);
        }
        GroupedConvolution layer = layerConf();
        INDArray outMask = ConvolutionUtils.cnn2dMaskReduction(maskArray, layer.getKernelSize(), layer.getStride(),
                layer.getPadding(), layer.getDilation(), layer.getConvolutionMode());
        return new Pair<>(outMask, currentMaskState);
    }
}
