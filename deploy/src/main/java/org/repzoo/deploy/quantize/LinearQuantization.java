package org.repzoo.deploy.quantize;

/**
 * ONNX's linear quantization ({@code QuantizeLinear} / {@code DequantizeLinear}): {@code q = saturate(round(x / scale)
 * + zeroPoint)} with rounding half to even, and {@code x' = (q - zeroPoint) * scale}. Weights are int8 and symmetric
 * (zero point 0, scale {@code max|w| / 127}, per output channel or per tensor); activations are uint8 with a zero point
 * that puts 0.0 exactly on a level (the range widened to include 0); biases are int32 at the scale
 * {@code input scale * weight scale}, as ONNX Runtime's integer convolution expects.
 */
public final class LinearQuantization {

    /** The range of a quantized type. */
    public enum Type {
        INT8(-128, 127), UINT8(0, 255), INT32(Integer.MIN_VALUE, Integer.MAX_VALUE);

        final int min;
        final int max;

        Type(int min, int max) {
            this.min = min;
            this.max = max;
        }
    }

    /** A scale and zero point. */
    public record Parameters(float scale, int zeroPoint) {
        public Parameters {
            if (!(scale > 0) || Float.isInfinite(scale)) {
                throw new IllegalArgumentException("a quantization scale must be positive and finite, got " + scale);
            }
        }
    }

    private LinearQuantization() {
    }

    /** ONNX's QuantizeLinear of one value. */
    public static int quantize(float x, Parameters p, Type type) {
        double q = Math.rint((double) x / p.scale()) + p.zeroPoint();
        return (int) Math.max(type.min, Math.min(type.max, q));
    }

    /** ONNX's DequantizeLinear of one value. */
    public static float dequantize(int q, Parameters p) {
        return (q - p.zeroPoint()) * p.scale();
    }

    /**
     * Symmetric int8 for values within {@code [-maxAbs, maxAbs]}: zero point 0, the largest magnitude on level 127 (a
     * tensor of zeros gets scale 1, so that it quantizes to zeros).
     */
    public static Parameters symmetric(double maxAbs) {
        return new Parameters(maxAbs > 0 ? (float) (maxAbs / 127) : 1f, 0);
    }

    /**
     * Asymmetric uint8 for values within {@code [min, max]}: the range is widened to include 0, which then lies exactly
     * on a level (the zero point), so ReLU's zeros and zero padding are exact.
     */
    public static Parameters asymmetric(double min, double max) {
        double low = Math.min(0, min);
        double high = Math.max(0, max);
        if (high - low <= 0) {
            return new Parameters(1f, 0);
        }
        float scale = (float) ((high - low) / 255);
        int zeroPoint = (int) Math.max(0, Math.min(255, Math.rint(-low / scale)));
        return new Parameters(scale, zeroPoint);
    }

    /** Per output channel (axis 0) symmetric parameters of a weight laid out channel after channel. */
    public static Parameters[] perChannel(float[] weight, int channels) {
        int per = weight.length / channels;
        Parameters[] parameters = new Parameters[channels];
        for (int c = 0; c < channels; c++) {
            double max = 0;
            for (int i = c * per; i < (c + 1) * per; i++) {
                max = Math.max(max, Math.abs(weight[i]));
            }
            parameters[c] = symmetric(max);
        }
        return parameters;
    }

    /** One symmetric scale for the whole weight, repeated per channel. */
    public static Parameters[] perTensor(float[] weight, int channels) {
        double max = 0;
        for (float w : weight) {
            max = Math.max(max, Math.abs(w));
        }
        Parameters[] parameters = new Parameters[channels];
        java.util.Arrays.fill(parameters, symmetric(max));
        return parameters;
    }

    /** The weight quantized channel by channel (axis 0) with {@code parameters}. */
    public static int[] quantizeWeight(float[] weight, Parameters[] parameters) {
        int per = weight.length / parameters.length;
        int[] q = new int[weight.length];
        for (int i = 0; i < weight.length; i++) {
            q[i] = quantize(weight[i], parameters[i / per], Type.INT8);
        }
        return q;
    }

    /** A bias as int32 at scale {@code inputScale * weightScale[c]}, zero point 0. */
    public static int[] quantizeBias(float[] bias, float inputScale, Parameters[] weight) {
        int[] q = new int[bias.length];
        for (int c = 0; c < bias.length; c++) {
            q[c] = quantize(bias[c], new Parameters(inputScale * weight[c].scale(), 0), Type.INT32);
        }
        return q;
    }
}
