package org.repzoo.zoo.core;

import java.util.Objects;
import org.deeplearning4j.nn.conf.layers.PoolingType;

/**
 * A 2-D pooling window as PyTorch's {@code MaxPool2d}/{@code AvgPool2d} describe it.
 *
 * @param rounding         how the output length is rounded ({@code ceil_mode})
 * @param paddingInAverage whether an average's divisor counts the zero padding ({@code count_include_pad})
 */
public record Pool(PoolingType type, int kernel, int stride, int padding, Rounding rounding,
                   PaddingInAverage paddingInAverage) {

    /**
     * PyTorch's {@code ceil_mode}. FLOOR ({@code False}, its default): only windows that fit in the padded input.
     * CEIL ({@code True}): one more, truncated window where the stride leaves input over, as Caffe rounds; GoogLeNet
     * and NIN keep it so that their grids (and weights) match the reference. Max pooling only: a truncated window's
     * average would need its own divisor.
     */
    public enum Rounding { FLOOR, CEIL }

    /**
     * PyTorch's {@code count_include_pad}. COUNTED ({@code True}, PyTorch's default): an average over a window that
     * overlaps the padding divides by the full window, the padded zeros included. EXCLUDED ({@code False}, DL4J's
     * default; TensorFlow's SAME average pooling, kept by timm's ports of Inception-v4 and Inception-ResNet-v2): it
     * divides by the cells inside the input only. No effect on max pooling.
     */
    public enum PaddingInAverage { COUNTED, EXCLUDED }

    public Pool {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(rounding, "rounding");
        Objects.requireNonNull(paddingInAverage, "paddingInAverage");
        if (kernel < 1 || stride < 1 || padding < 0 || padding * 2 > kernel) {
            throw new IllegalArgumentException("invalid pooling kernel " + kernel + " stride " + stride
                    + " pad " + padding);
        }
        if (rounding == Rounding.CEIL && type != PoolingType.MAX) {
            throw new IllegalArgumentException("ceil mode is only supported for max pooling");
        }
    }

    public static Pool max(int kernel, int stride) {
        return new Pool(PoolingType.MAX, kernel, stride, 0, Rounding.FLOOR, PaddingInAverage.COUNTED);
    }

    public static Pool avg(int kernel, int stride) {
        return new Pool(PoolingType.AVG, kernel, stride, 0, Rounding.FLOOR, PaddingInAverage.COUNTED);
    }

    public Pool padding(int pad) {
        return new Pool(type, kernel, stride, pad, rounding, paddingInAverage);
    }

    /** PyTorch's {@code count_include_pad=False}: an average over the window's cells inside the input only. */
    public Pool excludePadding() {
        return new Pool(type, kernel, stride, padding, rounding, PaddingInAverage.EXCLUDED);
    }

    /** PyTorch's {@code ceil_mode=True}. */
    public Pool withCeilMode() {
        return new Pool(type, kernel, stride, padding, Rounding.CEIL, paddingInAverage);
    }

    /** Output length along one axis, with PyTorch's rule (a window must start inside the padded input). */
    public int outputSize(int inputSize) {
        int span = inputSize + 2 * padding - kernel;
        if (span < 0) {
            return 0;
        }
        if (rounding == Rounding.FLOOR) {
            return span / stride + 1;
        }
        int out = (span + stride - 1) / stride + 1;
        if ((out - 1) * stride >= inputSize + padding) {
            out--;
        }
        return out;
    }

    int floorOutputSize(int inputSize) {
        int span = inputSize + 2 * padding - kernel;
        return span < 0 ? 0 : span / stride + 1;
    }
}
