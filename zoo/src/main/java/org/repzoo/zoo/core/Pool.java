package org.repzoo.zoo.core;

import org.deeplearning4j.nn.conf.layers.PoolingType;

/**
 * A 2-D pooling window as PyTorch's {@code MaxPool2d}/{@code AvgPool2d} describe it.
 *
 * @param countIncludePad PyTorch's {@code count_include_pad} (its default is true; DL4J's is false)
 */
public record Pool(PoolingType type, int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {

    public Pool {
        if (kernel < 1 || stride < 1 || padding < 0 || padding * 2 > kernel) {
            throw new IllegalArgumentException("invalid pooling kernel " + kernel + " stride " + stride + " pad " + padding);
        }
        if (ceilMode && type != PoolingType.MAX) {
            throw new IllegalArgumentException("ceil mode is only supported for max pooling");
        }
    }

    public static Pool max(int kernel, int stride) {
        return new Pool(PoolingType.MAX, kernel, stride, 0, false, true);
    }

    public static Pool avg(int kernel, int stride) {
        return new Pool(PoolingType.AVG, kernel, stride, 0, false, true);
    }

    public Pool padding(int pad) {
        return new Pool(type, kernel, stride, pad, ceilMode, countIncludePad);
    }

    /** PyTorch's {@code count_include_pad=False}: an average over the window's cells inside the input only. */
    public Pool excludePadding() {
        return new Pool(type, kernel, stride, padding, ceilMode, false);
    }

    public Pool withCeilMode() {
        return new Pool(type, kernel, stride, padding, true, countIncludePad);
    }

    /** Output length along one axis, with PyTorch's rule (a window must start inside the padded input). */
    public int outputSize(int inputSize) {
        int span = inputSize + 2 * padding - kernel;
        if (span < 0) {
            return 0;
        }
        if (!ceilMode) {
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
