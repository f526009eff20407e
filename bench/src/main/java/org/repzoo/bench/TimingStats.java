package org.repzoo.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Median, minimum and maximum of timed samples (seconds). The one timing helper for RepZoo's benchmarks: the bench
 * command, the JMH module and the benchmark tests report medians, so that a burst of other load on a shared machine
 * moves one sample, not the figure.
 */
public record TimingStats(double median, double min, double max, int samples) {

    public static TimingStats of(double[] seconds) {
        if (seconds.length == 0) {
            throw new IllegalArgumentException("no timed samples");
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        double median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
        return new TimingStats(median, sorted[0], sorted[n - 1], n);
    }

    /** The median of {@code values}, for callers that only need that. */
    public static double median(double[] values) {
        return of(values).median();
    }

    /** Median, min and max under those keys, in that order (the benchmarks' JSON). */
    public static Map<String, Double> figures(double median, double min, double max) {
        Map<String, Double> figures = new LinkedHashMap<>();
        figures.put("median", median);
        figures.put("min", min);
        figures.put("max", max);
        return figures;
    }
}
