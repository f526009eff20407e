package org.repzoo.evaluation.metrics;

/**
 * The soft-max of one view's logits, in double precision from the network's float logits, with the maximum
 * subtracted first. A NaN logit makes every probability NaN, as {@code torch.softmax} does, so the image is
 * counted as a NaN failure rather than silently ranked.
 */
public final class Softmax {

    private Softmax() {
    }

    /** {@code softmax(logits[offset .. offset + classes))}. */
    public static double[] of(float[] logits, int offset, int classes) {
        double[] probabilities = new double[classes];
        addWeighted(logits, offset, classes, 1, probabilities);
        return probabilities;
    }

    /** Adds {@code weight * softmax(logits[offset .. offset + classes))} to {@code into}. */
    public static void addWeighted(float[] logits, int offset, int classes, double weight, double[] into) {
        double max = Double.NEGATIVE_INFINITY;
        boolean nan = false;
        for (int c = 0; c < classes; c++) {
            float value = logits[offset + c];
            nan |= Float.isNaN(value);
            max = Math.max(max, value);
        }
        if (nan || Double.isInfinite(max)) {
            for (int c = 0; c < classes; c++) {
                into[c] = Double.NaN;
            }
            return;
        }
        double sum = 0;
        double[] exps = new double[classes];
        for (int c = 0; c < classes; c++) {
            exps[c] = Math.exp(logits[offset + c] - max);
            sum += exps[c];
        }
        for (int c = 0; c < classes; c++) {
            into[c] += weight * exps[c] / sum;
        }
    }
}
