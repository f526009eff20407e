package org.repzoo.reparam;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The tensor math of structural re-parameterisation (Ding et al. 2021, Sec. 3.3; the official repository's
 * {@code _fuse_bn_tensor}, {@code _pad_1x1_to_3x3_tensor} and {@code get_equivalent_kernel_bias}), on PyTorch-layout
 * kernels. Results are computed in the kernels' data type (double for exact checks, float for deployment).
 */
public final class KernelMath {

    private KernelMath() {
    }

    /**
     * Folds an inference-mode BatchNorm into the convolution before it: with {@code t = gamma / sqrt(var + eps)},
     * {@code W' = W * t} per output channel and {@code b' = beta + (b - mean) * t}.
     */
    public static Kernel foldBatchNorm(Kernel conv, BatchNormStats bn) {
        INDArray t = scale(conv.outChannels(), bn, conv.weight().dataType());
        return new Kernel(conv.weight().mul(t.reshape(-1, 1, 1, 1)), foldedBias(conv.bias(), bn, t));
    }

    /**
     * A RepVGG block's equivalent 3x3 kernel, {@code sum(foldBatchNorm(dense), pad1x1To3x3(foldBatchNorm(pointwise)),
     * foldBatchNorm(identity(..., groups)))}, written straight into {@code weight} (the deploy graph's own parameter
     * view) so that converting a large model allocates nothing of the kernels' size; the bias is returned.
     * {@code pointwise} and {@code identity} may be null (branches a block does not have).
     */
    public static INDArray sumOfBranchesInto(INDArray weight, Branch dense, Branch pointwise, BatchNormStats identity,
                                             int groups) {
        DataType type = weight.dataType();
        if (!java.util.Arrays.equals(weight.shape(), dense.conv().weight().shape())) {
            throw new IllegalArgumentException("target " + java.util.Arrays.toString(weight.shape()) + " for a "
                    + java.util.Arrays.toString(dense.conv().weight().shape()) + " kernel");
        }
        INDArray t = scale(weight.size(0), dense.bn(), type);
        dense.conv().weight().castTo(type).mul(t.reshape(-1, 1, 1, 1), weight); // one pass, into the target
        INDArray bias = foldedBias(dense.conv().bias(), dense.bn(), t);
        if (pointwise != null) {
            INDArray tPointwise = scale(weight.size(0), pointwise.bn(), type);
            INDArray w = pointwise.conv().weight();
            weight.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.point(1))
                    .addi(w.reshape(w.size(0), w.size(1)).castTo(type).mul(tPointwise.reshape(-1, 1)));
            bias.addi(foldedBias(pointwise.conv().bias(), pointwise.bn(), tPointwise));
        }
        if (identity != null) {
            long perGroup = weight.size(1);
            if (weight.size(0) != perGroup * groups) {
                throw new IllegalArgumentException("an identity branch needs as many inputs as outputs, not "
                        + perGroup * groups + " and " + weight.size(0));
            }
            INDArray tIdentity = scale(weight.size(0), identity, type);
            for (long i = 0; i < weight.size(0); i++) {
                long[] centre = {i, i % perGroup, 1, 1};
                weight.putScalar(centre, weight.getDouble(centre) + tIdentity.getDouble(i));
            }
            bias.addi(foldedBias(Nd4j.zeros(type, weight.size(0)), identity, tIdentity));
        }
        return bias;
    }

    /** A convolution and the BatchNorm after it: one branch of a RepVGG block. */
    public record Branch(Kernel conv, BatchNormStats bn) {
    }

    /** BatchNorm's per-channel scale {@code t = gamma / sqrt(var + eps)}. */
    private static INDArray scale(long outChannels, BatchNormStats bn, DataType type) {
        if (bn.channels() != outChannels) {
            throw new IllegalArgumentException("BatchNorm of " + bn.channels() + " channels after a convolution with "
                    + outChannels + " outputs");
        }
        INDArray std = Transforms.sqrt(bn.var().castTo(type).reshape(-1).add(bn.eps()), false);
        return bn.gamma().castTo(type).reshape(-1).div(std);
    }

    /** The folded bias {@code beta + (b - mean) * t}. */
    private static INDArray foldedBias(INDArray convBias, BatchNormStats bn, INDArray t) {
        DataType type = t.dataType();
        return convBias.castTo(type).sub(bn.mean().castTo(type).reshape(-1)).muli(t)
                .addi(bn.beta().castTo(type).reshape(-1));
    }

    /** A convolution without bias: the same weight with a zero bias. */
    public static Kernel withoutBias(INDArray weight) {
        return new Kernel(weight, Nd4j.zeros(weight.dataType(), weight.size(0)));
    }

    /** A 1x1 kernel as the 3x3 kernel with the same effect at padding 1: zeros around the centre. */
    public static Kernel pad1x1To3x3(Kernel kernel) {
        INDArray w = kernel.weight();
        if (w.size(2) != 1 || w.size(3) != 1) {
            throw new IllegalArgumentException("not a 1x1 kernel: " + java.util.Arrays.toString(w.shape()));
        }
        INDArray padded = Nd4j.zeros(w.dataType(), w.size(0), w.size(1), 3, 3);
        padded.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1), NDArrayIndex.point(1))
                .assign(w.reshape(w.size(0), w.size(1)));
        return new Kernel(padded, kernel.bias().dup());
    }

    /**
     * The 3x3 kernel of the identity on {@code channels} channels for a convolution with {@code groups} groups:
     * {@code K[i, i % (channels/groups), 1, 1] = 1} (each output channel copies its own input, which is input
     * {@code i % (channels/groups)} of its group). Bias zero.
     */
    public static Kernel identity(long channels, int groups, DataType type) {
        if (groups < 1 || channels % groups != 0) {
            throw new IllegalArgumentException(channels + " channels do not split into " + groups + " groups");
        }
        long perGroup = channels / groups;
        INDArray weight = Nd4j.zeros(type, channels, perGroup, 3, 3);
        for (long i = 0; i < channels; i++) {
            weight.putScalar(new long[] {i, i % perGroup, 1, 1}, 1.0);
        }
        return new Kernel(weight, Nd4j.zeros(type, channels));
    }

    /** The kernel of parallel branches summed: the sum of weights and of biases (all the same shape). */
    public static Kernel sum(Kernel... kernels) {
        INDArray weight = kernels[0].weight().dup();
        INDArray bias = kernels[0].bias().dup();
        for (int i = 1; i < kernels.length; i++) {
            if (!java.util.Arrays.equals(kernels[i].weight().shape(), weight.shape())) {
                throw new IllegalArgumentException("branches of different shapes: " + java.util.Arrays.toString(weight.shape())
                        + " and " + java.util.Arrays.toString(kernels[i].weight().shape()));
            }
            weight.addi(kernels[i].weight());
            bias.addi(kernels[i].bias());
        }
        return new Kernel(weight, bias);
    }
}
