package org.repzoo.evaluation.image;

import org.repzoo.zoo.core.EvalPreset.Interpolation;

/**
 * Pillow's {@code Image.resize(size, filter)} for RGB images, bit for bit: a port of {@code ImagingResample} in
 * Pillow's {@code libImaging/Resample.c} (checked against Pillow 9.4), as torchvision's {@code F.resize} calls it on
 * PIL images (no {@code box}, no {@code reducing_gap}). The filter is always antialiased: its support grows with the
 * downscale factor.
 *
 * <p>Per axis, with {@code scale = in / out} and {@code filterScale = max(scale, 1)}, output pixel {@code i} is a
 * weighted sum of input pixels {@code [xmin, xmax)} around {@code center = (i + 0.5) * scale}, the weights being
 * the filter at {@code (j + 0.5 - center) / filterScale}, normalised to sum 1 and then rounded to fixed point with
 * {@link #PRECISION_BITS} fraction bits. The horizontal pass runs first and is stored as 8 bits, then the vertical
 * pass; a pass is skipped when its axis keeps its size, and an image of unchanged size is returned as a copy.
 * Double arithmetic follows the C expression order, so the coefficients are the same doubles as Pillow's on any
 * IEEE-754 platform.
 */
public final class Resampler {

    /** Fraction bits of the fixed-point weights: {@code 32 - 8 - 2}, leaving room for 8-bit values and overshoot. */
    static final int PRECISION_BITS = 32 - 8 - 2;

    private Resampler() {
    }

    /** Resizes {@code image} to {@code width x height} with Pillow's {@code BILINEAR} or {@code BICUBIC} filter. */
    public static RgbImage resize(RgbImage image, int width, int height, Interpolation interpolation) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("target size must be positive, got " + width + "x" + height);
        }
        Filter filter = Filter.of(interpolation);
        boolean horizontal = width != image.width();
        boolean vertical = height != image.height();
        if (!horizontal && !vertical) {
            return new RgbImage(width, height, image.pixels().clone());
        }
        Coefficients columns = Coefficients.of(image.width(), width, filter);
        Coefficients rows = Coefficients.of(image.height(), height, filter);
        RgbImage current = image;
        int rowOffset = 0;
        if (horizontal) {
            // Only the source rows the vertical pass reads are resampled (Pillow's ybox_first..ybox_last).
            int firstRow = rows.start(0);
            int lastRow = rows.start(height - 1) + rows.count(height - 1);
            current = horizontalPass(current, firstRow, lastRow - firstRow, columns);
            rowOffset = firstRow;
        }
        if (vertical) {
            current = verticalPass(current, rowOffset, rows);
        }
        return current;
    }

    private static RgbImage horizontalPass(RgbImage in, int firstRow, int rowCount, Coefficients columns) {
        int width = columns.outSize();
        byte[] src = in.pixels();
        byte[] dst = new byte[3 * width * rowCount];
        int[] weights = columns.weights();
        int inStride = 3 * in.width();
        for (int y = 0; y < rowCount; y++) {
            int rowBase = (y + firstRow) * inStride;
            for (int x = 0; x < width; x++) {
                int start = columns.start(x);
                int count = columns.count(x);
                int weightBase = x * columns.kernelSize();
                int red = 1 << (PRECISION_BITS - 1);
                int green = red;
                int blue = red;
                for (int j = 0; j < count; j++) {
                    int weight = weights[weightBase + j];
                    int at = rowBase + 3 * (start + j);
                    red += (src[at] & 0xFF) * weight;
                    green += (src[at + 1] & 0xFF) * weight;
                    blue += (src[at + 2] & 0xFF) * weight;
                }
                int out = 3 * (y * width + x);
                dst[out] = clip8(red);
                dst[out + 1] = clip8(green);
                dst[out + 2] = clip8(blue);
            }
        }
        return new RgbImage(width, rowCount, dst);
    }

    /** {@code rowOffset}: the source row that {@code in}'s row 0 is (non-zero after a cropped horizontal pass). */
    private static RgbImage verticalPass(RgbImage in, int rowOffset, Coefficients rows) {
        int width = in.width();
        int height = rows.outSize();
        byte[] src = in.pixels();
        byte[] dst = new byte[3 * width * height];
        int[] weights = rows.weights();
        int stride = 3 * width;
        for (int y = 0; y < height; y++) {
            int start = rows.start(y) - rowOffset;
            int count = rows.count(y);
            int weightBase = y * rows.kernelSize();
            for (int x = 0; x < width; x++) {
                int red = 1 << (PRECISION_BITS - 1);
                int green = red;
                int blue = red;
                for (int j = 0; j < count; j++) {
                    int weight = weights[weightBase + j];
                    int at = (start + j) * stride + 3 * x;
                    red += (src[at] & 0xFF) * weight;
                    green += (src[at + 1] & 0xFF) * weight;
                    blue += (src[at + 2] & 0xFF) * weight;
                }
                int out = 3 * (y * width + x);
                dst[out] = clip8(red);
                dst[out + 1] = clip8(green);
                dst[out + 2] = clip8(blue);
            }
        }
        return new RgbImage(width, height, dst);
    }

    /** Pillow's {@code clip8}: drop the fraction bits (arithmetic shift, as C on every Pillow platform), clamp. */
    private static byte clip8(int accumulator) {
        int value = accumulator >> PRECISION_BITS;
        return (byte) (value < 0 ? 0 : Math.min(value, 255));
    }

    /** Pillow's filters: {@code bilinear_filter} (triangle) and {@code bicubic_filter} (Keys cubic, a = -0.5). */
    enum Filter {
        BILINEAR(1.0) {
            @Override
            double weight(double x) {
                if (x < 0.0) {
                    x = -x;
                }
                return x < 1.0 ? 1.0 - x : 0.0;
            }
        },
        BICUBIC(2.0) {
            @Override
            double weight(double x) {
                final double a = -0.5;
                if (x < 0.0) {
                    x = -x;
                }
                if (x < 1.0) {
                    return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
                }
                if (x < 2.0) {
                    return (((x - 5) * x + 8) * x - 4) * a;
                }
                return 0.0;
            }
        };

        final double support;

        Filter(double support) {
            this.support = support;
        }

        abstract double weight(double x);

        static Filter of(Interpolation interpolation) {
            return switch (interpolation) {
                case BILINEAR -> BILINEAR;
                case BICUBIC -> BICUBIC;
            };
        }
    }

    /**
     * One axis' fixed-point weights: Pillow's {@code precompute_coeffs} followed by {@code normalize_coeffs_8bpc}.
     * Output pixel {@code i} reads {@code count(i)} input pixels from {@code start(i)}, with the weights at
     * {@code weights[i * kernelSize ...]}.
     */
    record Coefficients(int outSize, int kernelSize, int[] bounds, int[] weights) {

        static Coefficients of(int inSize, int outSize, Filter filter) {
            // Pillow computes in0/in1 as floats: exact for any image size below 2^24.
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = filter.support * filterScale;
            int kernelSize = (int) Math.ceil(support) * 2 + 1;
            int[] bounds = new int[2 * outSize];
            int[] weights = new int[outSize * kernelSize];
            double[] kernel = new double[kernelSize];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                double inverseScale = 1.0 / filterScale;
                // (int) truncates toward zero, as the C cast Pillow uses to "round" the bounds.
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize);
                int count = max - min;
                double sum = 0.0;
                for (int j = 0; j < count; j++) {
                    double weight = filter.weight((j + min - center + 0.5) * inverseScale);
                    kernel[j] = weight;
                    sum += weight;
                }
                for (int j = 0; j < count; j++) {
                    double normalised = sum != 0.0 ? kernel[j] / sum : kernel[j];
                    weights[i * kernelSize + j] = toFixedPoint(normalised);
                }
                bounds[2 * i] = min;
                bounds[2 * i + 1] = count;
            }
            return new Coefficients(outSize, kernelSize, bounds, weights);
        }

        /** Pillow's {@code normalize_coeffs_8bpc}: round half away from zero, by adding ±0.5 and truncating. */
        static int toFixedPoint(double weight) {
            double scaled = weight * (1 << PRECISION_BITS);
            return (int) (weight < 0 ? -0.5 + scaled : 0.5 + scaled);
        }

        int start(int index) {
            return bounds[2 * index];
        }

        int count(int index) {
            return bounds[2 * index + 1];
        }
    }
}
