package org.repzoo.compat;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.IntMemoryMap;
import org.bytedeco.dnnl.convolution_backward_data;
import org.bytedeco.dnnl.convolution_backward_weights;
import org.bytedeco.dnnl.convolution_forward;
import org.bytedeco.dnnl.engine;
import org.bytedeco.dnnl.memory;
import org.bytedeco.dnnl.primitive;
import org.bytedeco.dnnl.primitive_attr;
import org.bytedeco.dnnl.reorder;
import org.bytedeco.dnnl.stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdDataAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.BwdFilterAlgo;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer.FwdAlgo;
import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionHelper;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.deeplearning4j.util.ConvolutionUtils;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.algorithm.convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.prop_kind.forward_training;

import org.bytedeco.dnnl.global.dnnl.scratchpad_mode;

/**
 * A training convolution that calls oneDNN itself (JavaCPP's {@code org.bytedeco:dnnl} presets) instead of through
 * libnd4j's {@code conv2d} op, which on every call builds its primitives again and runs the forward pass as
 * {@code forward_inference} on NHWC, the layout that costs the most to reorder from NCHW at small channel counts.
 * Here each layer keeps, per input shape, the three primitives (forward, backward data, backward weights) and the
 * reorders oneDNN's chosen layouts need; the data stay NCHW between layers, so each call reorders its NCHW arrays in
 * and out, as PyTorch's oneDNN path does. Weight gradients are written straight into DL4J's gradient view. Where the
 * layer's activation is the identity, the second forward pass DL4J asks for in the backward pass is skipped.
 *
 * <p>Anything but NCHW floats with dilation 1 returns null, which makes DL4J's layer use its built-in path.
 * One instance serves one layer of one graph: layers of replicas each get theirs, so no two threads share a stream.
 */
final class OneDnnConvolutionHelper implements ConvolutionHelper {
    private static final engine ENGINE = new engine(engine.kind.cpu, 0);
    private static final primitive_attr USER_SCRATCHPAD = userScratchpad();
    private static final StackWalker STACK = StackWalker.getInstance();

    private final stream stream = new stream(ENGINE);
    private final Map<Geometry, Plan> plans = new HashMap<>();
    /** DL4J hands a layer without bias a zero bias and a dummy gradient for it: such a layer's primitives have none. */
    private final boolean hasBias;
    /** Whether the layer's activation is the identity, whose backward pass does not read the pre-activation. */
    private final boolean identity;

    OneDnnConvolutionHelper(boolean hasBias, boolean identity) {
        this.hasBias = hasBias;
        this.identity = identity;
    }

    @Override
    public boolean checkSupported() {
        return true;
    }

    @Override
    public INDArray preOutput(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides, int[] pad,
                              AlgoMode mode, FwdAlgo fwdAlgo, ConvolutionMode convolutionMode, int[] dilation,
                              CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        INDArray b = hasBias ? bias : null;
        Geometry geometry = Geometry.of(input, weights, b, kernel, strides, pad, convolutionMode, dilation, format);
        if (geometry == null) {
            return null;
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT, geometry.output());
        if (identity && forBackprop()) {
            // ConvolutionLayer.backpropGradient runs the convolution again only to hand its output to the
            // activation's backward pass, which for the identity returns the incoming gradient without reading it
            return out;
        }
        plan(geometry).forward(stream, contiguous(input), contiguous(weights), b == null ? null : contiguous(b), out);
        return out;
    }

    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray input, INDArray weights, INDArray bias, INDArray delta,
                                                     int[] kernel, int[] strides, int[] pad, INDArray biasGradView,
                                                     INDArray weightGradView, IActivation afn, AlgoMode mode,
                                                     BwdFilterAlgo bwdFilterAlgo, BwdDataAlgo bwdDataAlgo,
                                                     ConvolutionMode convolutionMode, int[] dilation,
                                                     CNN2DFormat format, LayerWorkspaceMgr workspaceMgr) {
        INDArray biasView = hasBias ? biasGradView : null;
        Geometry geometry = Geometry.of(input, weights, biasView, kernel, strides, pad, convolutionMode, dilation,
                format);
        if (geometry == null || !Arrays.equals(delta.shape(), geometry.output())) {
            return null;
        }
        // the rows and columns a cropped input leaves out get no gradient: zero, as oneDNN writes only the rest
        INDArray epsilon = geometry.cropped()
                ? workspaceMgr.create(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape())
                : workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape());
        INDArray weightGrad = contiguous(weightGradView);
        INDArray biasGrad = biasView == null ? null : contiguous(biasView);
        plan(geometry).backward(stream, contiguous(input), contiguous(weights), contiguous(delta), epsilon, weightGrad,
                biasGrad);
        if (weightGrad != weightGradView) {
            weightGradView.assign(weightGrad);
        }
        if (biasGrad != biasView) {
            biasView.assign(biasGrad);
        }
        Gradient gradient = new DefaultGradient();
        if (biasView != null) {
            gradient.gradientForVariable().put(ConvolutionParamInitializer.BIAS_KEY, biasView);
        }
        gradient.gradientForVariable().put(ConvolutionParamInitializer.WEIGHT_KEY, weightGradView);
        return new Pair<>(gradient, epsilon);
    }

    @Override
    public INDArray activate(INDArray z, IActivation afn, boolean training) {
        return afn.getActivation(z, training);
    }

    @Override
    public Map<String, Long> helperMemoryUse() {
        long bytes = 0;
        for (Plan plan : plans.values()) {
            bytes = Math.max(bytes, plan.scratchBytes());
        }
        return Map.of("oneDNN layouts and scratchpads (largest stage, per thread)", bytes);
    }

    /** Whether DL4J's ConvolutionLayer.backpropGradient is what asks (through preOutput4d and preOutput). */
    private static boolean forBackprop() {
        return STACK.walk(frames -> frames.skip(1).limit(4).anyMatch(frame -> frame.getMethodName().equals(
                "backpropGradient") && frame.getClassName().equals(
                org.deeplearning4j.nn.layers.convolution.ConvolutionLayer.class.getName())));
    }

    private Plan plan(Geometry geometry) {
        return plans.computeIfAbsent(geometry, Plan::new);
    }

    /** The array itself where oneDNN can read or write it in place, else a dense copy (to assign back, if written). */
    private static INDArray contiguous(INDArray array) {
        return isDense(array) ? array : array.dup('c');
    }

    private static boolean isDense(INDArray array) {
        return array.ordering() == 'c' && Shape.hasDefaultStridesForShape(array) && !array.isEmpty();
    }

    /** The address of an array's first element, for a oneDNN memory's handle. */
    private static Pointer address(INDArray array) {
        return new Address(array.data().addressPointer().address());
    }

    /** What a layer's call needs to be planned: input, weights, output and the explicit padding on each side. */
    private record Geometry(long[] input, long[] weights, boolean bias, long[] stride, long[] padTopLeft,
                            long[] padBottomRight, long[] output) {

        static Geometry of(INDArray input, INDArray weights, INDArray bias, int[] kernel, int[] strides, int[] pad,
                           ConvolutionMode mode, int[] dilation, CNN2DFormat format) {
            if (format != CNN2DFormat.NCHW || input.rank() != 4 || input.dataType() != DataType.FLOAT
                    || weights.dataType() != DataType.FLOAT || (bias != null && bias.dataType() != DataType.FLOAT)
                    || dilation[0] != 1 || dilation[1] != 1) {
                return null;
            }
            int[] inSize = {(int) input.size(2), (int) input.size(3)};
            int[] outSize = ConvolutionUtils.getOutputSize(input, kernel, strides, mode == ConvolutionMode.Same
                    ? null : pad, mode, dilation, format);
            int[] topLeft = mode == ConvolutionMode.Same
                    ? ConvolutionUtils.getSameModeTopLeftPadding(outSize, inSize, kernel, strides, dilation) : pad;
            long[] bottomRight = new long[2];
            for (int d = 0; d < 2; d++) {
                bottomRight[d] = (long) (outSize[d] - 1) * strides[d] + kernel[d] - inSize[d] - topLeft[d];
            }
            long[] output = {input.size(0), weights.size(0), outSize[0], outSize[1]};
            return new Geometry(input.shape(), weights.shape(), bias != null, new long[]{strides[0], strides[1]},
                    new long[]{topLeft[0], topLeft[1]}, bottomRight, output);
        }

        /**
         * The input oneDNN sees: where the last rows or columns fall outside every window (a 1x1 stride-2 convolution
         * of an even size, a negative bottom padding), the same array cropped, read through the full array's strides.
         */
        long[] seen() {
            return new long[]{input[0], input[1], input[2] + Math.min(0, padBottomRight[0]),
                    input[3] + Math.min(0, padBottomRight[1])};
        }

        boolean cropped() {
            return padBottomRight[0] < 0 || padBottomRight[1] < 0;
        }

        long[] padding() {
            return new long[]{Math.max(0, padBottomRight[0]), Math.max(0, padBottomRight[1])};
        }

        memory userInput() {
            if (!cropped()) {
                return userMemory(input, memory.format_tag.nchw);
            }
            long[] strides = {input[1] * input[2] * input[3], input[2] * input[3], input[3], 1};
            return new memory(new memory.desc(seen(), memory.data_type.f32, strides), ENGINE, (Pointer) null);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Geometry g && Arrays.equals(input, g.input) && Arrays.equals(weights, g.weights)
                    && bias == g.bias && Arrays.equals(stride, g.stride) && Arrays.equals(padTopLeft, g.padTopLeft)
                    && Arrays.equals(padBottomRight, g.padBottomRight);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(input) * 31 + Arrays.hashCode(weights) * 7 + Arrays.hashCode(stride)
                    + Arrays.hashCode(padTopLeft) + Arrays.hashCode(padBottomRight) + (bias ? 1 : 0);
        }
    }

    /**
     * The primitives of one geometry. The user memories (NCHW, OIHW, the bias vector) get the arrays of each call as
     * their handles; where oneDNN chose another layout, a memory of its own and a reorder stand between.
     */
    private static final class Plan {
        private final Geometry geometry;
        private final memory userSrc;
        private final memory userWeights;
        private final memory userBias;
        private final memory userDst;
        private final convolution_forward.primitive_desc forwardDesc;
        private final Stage forward;
        private Backward backward;

        Plan(Geometry geometry) {
            this.geometry = geometry;
            userSrc = geometry.userInput();
            userWeights = userMemory(geometry.weights, memory.format_tag.oihw);
            userBias = geometry.bias ? userMemory(new long[]{geometry.weights[0]}, memory.format_tag.x) : null;
            userDst = userMemory(geometry.output, memory.format_tag.nchw);
            convolution_forward.desc desc = geometry.bias
                    ? new convolution_forward.desc(forward_training, convolution_direct, any(geometry.seen()),
                    any(geometry.weights), userBias.get_desc(), any(geometry.output), geometry.stride,
                    geometry.padTopLeft, geometry.padding())
                    : new convolution_forward.desc(forward_training, convolution_direct, any(geometry.seen()),
                    any(geometry.weights), any(geometry.output), geometry.stride, geometry.padTopLeft,
                    geometry.padding());
            forwardDesc = new convolution_forward.primitive_desc(desc, USER_SCRATCHPAD, ENGINE);
            forward = new Stage(new convolution_forward(forwardDesc), forwardDesc.scratchpad_desc());
            forward.in(DNNL_ARG_SRC, userSrc, forwardDesc.src_desc());
            forward.in(DNNL_ARG_WEIGHTS, userWeights, forwardDesc.weights_desc());
            if (geometry.bias) {
                forward.in(DNNL_ARG_BIAS, userBias, forwardDesc.bias_desc());
            }
            forward.out(DNNL_ARG_DST, userDst, forwardDesc.dst_desc());
        }

        void forward(stream stream, INDArray input, INDArray weights, INDArray bias, INDArray out) {
            userSrc.set_data_handle(address(input));
            userWeights.set_data_handle(address(weights));
            if (userBias != null) {
                userBias.set_data_handle(address(bias));
            }
            userDst.set_data_handle(address(out));
            forward.run(stream);
            // oneDNN holds only the addresses: keep the arrays (a dense copy may have no other reference) till here
            Reference.reachabilityFence(input);
            Reference.reachabilityFence(weights);
            Reference.reachabilityFence(bias);
            Reference.reachabilityFence(out);
        }

        void backward(stream stream, INDArray input, INDArray weights, INDArray delta, INDArray epsilon,
                      INDArray weightGrad, INDArray biasGrad) {
            if (backward == null) {
                backward = new Backward(this);
            }
            userSrc.set_data_handle(address(input));
            userWeights.set_data_handle(address(weights));
            backward.userDiffDst.set_data_handle(address(delta));
            backward.userDiffSrc.set_data_handle(address(epsilon));
            backward.userDiffWeights.set_data_handle(address(weightGrad));
            if (backward.userDiffBias != null) {
                backward.userDiffBias.set_data_handle(address(biasGrad));
            }
            backward.data.run(stream);
            backward.weights.run(stream);
            Reference.reachabilityFence(input);
            Reference.reachabilityFence(weights);
            Reference.reachabilityFence(delta);
            Reference.reachabilityFence(epsilon);
            Reference.reachabilityFence(weightGrad);
            Reference.reachabilityFence(biasGrad);
        }

        long scratchBytes() {
            return Math.max(forward.scratchBytes(), backward == null ? 0
                    : Math.max(backward.data.scratchBytes(), backward.weights.scratchBytes()));
        }
    }

    /** Backward data and backward weights, hinted by the forward primitive so that their layouts agree with it. */
    private static final class Backward {
        private final memory userDiffDst;
        private final memory userDiffSrc;
        private final memory userDiffWeights;
        private final memory userDiffBias;
        private final Stage data;
        private final Stage weights;

        Backward(Plan plan) {
            Geometry g = plan.geometry;
            userDiffDst = userMemory(g.output, memory.format_tag.nchw);
            userDiffSrc = g.userInput();
            userDiffWeights = userMemory(g.weights, memory.format_tag.oihw);
            userDiffBias = g.bias ? userMemory(new long[]{g.weights[0]}, memory.format_tag.x) : null;

            convolution_backward_data.primitive_desc dataDesc = new convolution_backward_data.primitive_desc(
                    new convolution_backward_data.desc(convolution_direct, any(g.seen()), any(g.weights),
                            any(g.output), g.stride, g.padTopLeft, g.padding()), USER_SCRATCHPAD, ENGINE,
                    plan.forwardDesc);
            data = new Stage(new convolution_backward_data(dataDesc), dataDesc.scratchpad_desc());
            data.in(DNNL_ARG_DIFF_DST, userDiffDst, dataDesc.diff_dst_desc());
            data.in(DNNL_ARG_WEIGHTS, plan.userWeights, dataDesc.weights_desc());
            data.out(DNNL_ARG_DIFF_SRC, userDiffSrc, dataDesc.diff_src_desc());

            convolution_backward_weights.desc weightsDesc = g.bias
                    ? new convolution_backward_weights.desc(convolution_direct, any(g.seen()), any(g.weights),
                    userDiffBias.get_desc(), any(g.output), g.stride, g.padTopLeft, g.padding())
                    : new convolution_backward_weights.desc(convolution_direct, any(g.seen()), any(g.weights),
                    any(g.output), g.stride, g.padTopLeft, g.padding());
            convolution_backward_weights.primitive_desc weightsPd = new convolution_backward_weights.primitive_desc(
                    weightsDesc, USER_SCRATCHPAD, ENGINE, plan.forwardDesc);
            weights = new Stage(new convolution_backward_weights(weightsPd), weightsPd.scratchpad_desc());
            weights.in(DNNL_ARG_SRC, plan.userSrc, weightsPd.src_desc());
            weights.in(DNNL_ARG_DIFF_DST, userDiffDst, weightsPd.diff_dst_desc());
            weights.out(DNNL_ARG_DIFF_WEIGHTS, userDiffWeights, weightsPd.diff_weights_desc());
            if (g.bias) {
                weights.out(DNNL_ARG_DIFF_BIAS, userDiffBias, weightsPd.diff_bias_desc());
            }
        }
    }

    /**
     * One primitive with its arguments: each argument is either the user memory itself (when oneDNN chose its
     * layout) or a memory of oneDNN's layout filled by a reorder before the primitive, or read back by one after it.
     * Those memories and the primitives' scratchpads (oneDNN's user scratchpad mode: the library's default shares one
     * between primitives, which replicas training on two threads at once corrupt) live only while the stage runs, so
     * they take their space from the running thread's {@link Arena}: a graph needs the largest stage's, not the sum.
     */
    private static final class Stage {
        private final List<Step> before = new ArrayList<>();
        private final List<Step> after = new ArrayList<>();
        private final Step main;
        private final List<memory> temporaries = new ArrayList<>();
        private final List<Long> offsets = new ArrayList<>();
        private long bytes;

        Stage(primitive primitive, memory.desc scratchpad) {
            main = new Step(primitive, new IntMemoryMap());
            main.scratchpad(scratchpad, this);
        }

        void in(int argument, memory user, memory.desc wanted) {
            main.arguments.put(argument, convert(user, wanted, true));
        }

        void out(int argument, memory user, memory.desc wanted) {
            main.arguments.put(argument, convert(user, wanted, false));
        }

        private memory convert(memory user, memory.desc wanted, boolean input) {
            if (user.get_desc().equals(wanted)) {
                return user;
            }
            memory own = temporary(wanted);
            memory from = input ? user : own;
            memory to = input ? own : user;
            reorder.primitive_desc desc = new reorder.primitive_desc(from, to, USER_SCRATCHPAD, false);
            Step step = new Step(new reorder(desc), new IntMemoryMap().put(DNNL_ARG_FROM, from).put(DNNL_ARG_TO, to));
            step.scratchpad(desc.scratchpad_desc(), this);
            (input ? before : after).add(step);
            return own;
        }

        /** A memory without a buffer of its own: {@link #run} points it into the thread's arena. */
        memory temporary(memory.desc desc) {
            memory memory = new memory(desc, ENGINE, (Pointer) null);
            temporaries.add(memory);
            offsets.add(bytes);
            bytes += Arena.aligned(desc.get_size());
            return memory;
        }

        void run(stream stream) {
            long base = Arena.reserve(bytes);
            for (int i = 0; i < temporaries.size(); i++) {
                temporaries.get(i).set_data_handle(new Address(base + offsets.get(i)));
            }
            for (Step step : before) {
                step.primitive.execute(stream, step.arguments);
            }
            main.primitive.execute(stream, main.arguments);
            for (Step step : after) {
                step.primitive.execute(stream, step.arguments);
            }
            stream._wait();
        }

        long scratchBytes() {
            return bytes;
        }
    }

    private record Step(primitive primitive, IntMemoryMap arguments) {
        /** Gives the step its scratchpad, if it needs one. */
        void scratchpad(memory.desc desc, Stage stage) {
            if (desc.get_size() > 0) {
                arguments.put(DNNL_ARG_SCRATCHPAD, stage.temporary(desc));
            }
        }
    }

    /**
     * Each thread's space for the stages' temporary memories: one native buffer, grown to the largest stage it ran
     * and kept (a training thread runs the same stages every step), 64-byte aligned as oneDNN prefers.
     */
    private static final class Arena {
        private static final long ALIGNMENT = 64;
        private static final ThreadLocal<Arena> CURRENT = ThreadLocal.withInitial(Arena::new);
        private BytePointer buffer;
        private long capacity;

        static long aligned(long bytes) {
            return (bytes + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        }

        /** The aligned address of at least {@code bytes} bytes, valid until this thread's next call. */
        static long reserve(long bytes) {
            Arena arena = CURRENT.get();
            if (bytes > arena.capacity) {
                if (arena.buffer != null) {
                    arena.buffer.deallocate();
                }
                arena.buffer = new BytePointer(bytes + ALIGNMENT);
                arena.capacity = bytes;
            }
            return aligned(arena.buffer.address());
        }
    }

    private static primitive_attr userScratchpad() {
        primitive_attr attr = new primitive_attr();
        attr.set_scratchpad_mode(scratchpad_mode.user);
        return attr;
    }

    private static memory userMemory(long[] dims, memory.format_tag tag) {
        return new memory(new memory.desc(dims, memory.data_type.f32, tag), ENGINE, (Pointer) null);
    }

    private static memory.desc any(long[] dims) {
        return new memory.desc(dims, memory.data_type.f32, memory.format_tag.any);
    }

    /** A raw address as a JavaCPP pointer. */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }
}
