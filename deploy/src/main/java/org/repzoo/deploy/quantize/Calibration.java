package org.repzoo.deploy.quantize;

import java.util.Locale;

/**
 * How an activation's quantization range is chosen from what calibration images produced there:
 * <ul>
 *   <li>{@link Method#MINMAX}: the whole observed range, nothing clipped;</li>
 *   <li>{@link Method#PERCENTILE}: the range that holds {@code P}% of the observed magnitudes (the rest saturate);</li>
 *   <li>{@link Method#ENTROPY}: the clipping threshold whose 8-bit quantized histogram is closest to the observed one
 *       in Kullback-Leibler divergence (TensorRT's calibration, Migacz 2017).</li>
 * </ul>
 * Ranges come from a histogram of magnitudes over [0, the largest magnitude seen], collected in a second pass once the
 * first pass has found the extremes; the sign decides whether the range is [0, t] (non-negative tensors, such as
 * ReLU outputs) or [min, max] clipped to [-t, t].
 */
public record Calibration(Method method, double percentile) {

    /** The calibration methods. */
    public enum Method { MINMAX, PERCENTILE, ENTROPY }

    /** Histogram bins over [0, max |x|]: the resolution of the percentile and entropy thresholds. */
    public static final int BINS = 2048;
    /** Levels of a signed tensor's magnitudes in 8 bits: the 128 of one sign (TensorRT's choice). */
    static final int SIGNED_LEVELS = 128;
    /** Levels of a tensor that never goes negative, quantized to uint8's whole range [0, t]. */
    static final int UNSIGNED_LEVELS = 256;

    public Calibration {
        if (method == Method.PERCENTILE && !(percentile > 50 && percentile <= 100)) {
            throw new IllegalArgumentException("a calibration percentile must be in (50, 100], got " + percentile);
        }
    }

    /** "minmax", "percentile:99.99" or "entropy"; anything else is refused, naming the value. */
    public static Calibration parse(String text) {
        String value = text.trim().toLowerCase(Locale.ROOT);
        if (value.equals("minmax")) {
            return new Calibration(Method.MINMAX, 100);
        }
        if (value.equals("entropy")) {
            return new Calibration(Method.ENTROPY, 100);
        }
        if (value.startsWith("percentile:")) {
            try {
                return new Calibration(Method.PERCENTILE, Double.parseDouble(value.substring("percentile:".length())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad activation calibration '" + text + "': percentile:P takes a "
                        + "number, e.g. percentile:99.99");
            }
        }
        throw new IllegalArgumentException("unknown activation calibration '" + text + "': choose minmax, "
                + "percentile:P or entropy");
    }

    /** Whether this method needs the histogram pass. */
    boolean needsHistogram() {
        return method != Method.MINMAX;
    }

    @Override
    public String toString() {
        return switch (method) {
            case MINMAX -> "minmax";
            case ENTROPY -> "entropy";
            case PERCENTILE -> "percentile:" + percentile;
        };
    }

    /**
     * The clipping threshold on magnitudes: the largest magnitude for minmax; from the histogram ({@code counts[i]}:
     * magnitudes in bin i of {@link #BINS} equal bins over [0, maxAbs]) otherwise.
     *
     * @param unsigned whether the tensor never goes negative (a ReLU's output), so that its 8 bits cover [0, t]
     */
    double threshold(double maxAbs, long[] counts, boolean unsigned) {
        if (method == Method.MINMAX || maxAbs == 0) {
            return maxAbs;
        }
        double width = maxAbs / counts.length;
        if (method == Method.PERCENTILE) {
            long total = 0;
            for (long c : counts) {
                total += c;
            }
            double wanted = total * percentile / 100;
            long seen = 0;
            for (int i = 0; i < counts.length; i++) {
                seen += counts[i];
                if (seen >= wanted) {
                    return (i + 1) * width;
                }
            }
            return maxAbs;
        }
        return (entropyBins(counts, unsigned ? UNSIGNED_LEVELS : SIGNED_LEVELS) + 0.5) * width;
    }

    /**
     * The number of bins whose range, quantized to {@code levels} levels, loses the least information: for each
     * candidate i, the reference distribution is the first i bins with everything beyond folded into the last, the
     * candidate is those i bins merged into {@code levels} groups and spread back uniformly over each group's
     * non-empty bins; the candidate with the smallest KL(reference || candidate) wins. The first bin counts as the
     * second does (NVIDIA's pytorch-quantization does the same): after a ReLU it holds every exact zero, often half of
     * all values, and that spike, which every candidate represents exactly, would otherwise swamp the divergence and
     * favour thresholds that clip most of the range (measured on the demo's net: -23 points of top-1 without it).
     */
    static int entropyBins(long[] observed, int levels) {
        long[] counts = observed.clone();
        if (counts.length > 1) {
            counts[0] = counts[1];
        }
        int best = counts.length;
        double bestDivergence = Double.POSITIVE_INFINITY;
        for (int i = levels; i <= counts.length; i++) {
            double[] reference = new double[i];
            for (int b = 0; b < i; b++) {
                reference[b] = counts[b];
            }
            for (int b = i; b < counts.length; b++) {
                reference[i - 1] += counts[b];
            }
            double[] candidate = new double[i];
            double perLevel = (double) i / levels;
            for (int level = 0; level < levels; level++) {
                int start = (int) Math.floor(level * perLevel);
                int end = level == levels - 1 ? i : (int) Math.floor((level + 1) * perLevel);
                double sum = 0;
                int nonEmpty = 0;
                for (int b = start; b < end; b++) {
                    sum += counts[b];
                    nonEmpty += counts[b] > 0 ? 1 : 0;
                }
                for (int b = start; b < end; b++) {
                    if (counts[b] > 0) {
                        candidate[b] = sum / nonEmpty;
                    }
                }
            }
            double divergence = divergence(reference, candidate);
            if (divergence < bestDivergence) {
                bestDivergence = divergence;
                best = i;
            }
        }
        return best;
    }

    /** KL(p || q) of two histograms, each normalised; bins where p is 0 add nothing, q is smoothed where p is not. */
    static double divergence(double[] p, double[] q) {
        double pSum = 0;
        double qSum = 0;
        for (int b = 0; b < p.length; b++) {
            pSum += p[b];
            qSum += q[b];
        }
        if (pSum == 0 || qSum == 0) {
            return Double.POSITIVE_INFINITY;
        }
        double kl = 0;
        for (int b = 0; b < p.length; b++) {
            if (p[b] > 0) {
                double pb = p[b] / pSum;
                double qb = Math.max(q[b] / qSum, 1e-12);
                kl += pb * Math.log(pb / qb);
            }
        }
        return kl;
    }
}
