package org.repzoo.deploy.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The three ways of choosing an activation's range, on histograms whose answer can be worked out. */
class CalibrationTest {

    @Test
    void minmaxKeepsTheWholeRange() {
        assertEquals(10.0, Calibration.parse("minmax").threshold(10, new long[] {5, 0, 0, 1}, true));
    }

    @Test
    void aPercentileIsTheMagnitudeBelowWhichThatShareLies() {
        long[] counts = {50, 30, 10, 5, 3, 1, 1, 0, 0, 0}; // 100 magnitudes in 10 bins of width 1 over [0, 10]
        assertEquals(3.0, Calibration.parse("percentile:90").threshold(10, counts, true), 1e-12);
        assertEquals(6.0, Calibration.parse("percentile:99").threshold(10, counts, true), 1e-12);
        assertEquals(7.0, Calibration.parse("percentile:100").threshold(10, counts, true), 1e-12);
    }

    @Test
    void entropyClipsRareOutliersAndKeepsADenseRange() {
        long[] outliers = new long[Calibration.BINS];
        for (int b = 0; b < 200; b++) {
            outliers[b] = 1000 - 4L * b; // a falling distribution over the first 200 bins
        }
        outliers[Calibration.BINS - 1] = 1; // one outlier at the top
        double clipped = Calibration.parse("entropy").threshold(1.0, outliers, false);
        assertTrue(clipped < 0.25 && clipped > 0.05, "threshold " + clipped);

        long[] uniform = new long[Calibration.BINS];
        java.util.Arrays.fill(uniform, 100);
        double kept = Calibration.parse("entropy").threshold(1.0, uniform, false);
        assertTrue(kept > 0.95, "a uniform distribution loses most by clipping: " + kept);
    }

    /**
     * A ReLU's output: half the values exactly zero (bin 0), the rest falling off over the first quarter of the range
     * with a thin tail to the maximum. The zeros must not decide the threshold: it keeps the dense part.
     */
    @Test
    void entropyIsNotSwampedByTheZerosOfARelu() {
        long[] relu = new long[Calibration.BINS];
        long dense = 0;
        for (int b = 1; b < 512; b++) {
            relu[b] = 2000 - 3L * b;
            dense += relu[b];
        }
        for (int b = 512; b < Calibration.BINS; b += 64) {
            relu[b] = 2;
        }
        relu[0] = dense; // as many zeros as all the rest
        double threshold = Calibration.parse("entropy").threshold(1.0, relu, true);
        assertTrue(threshold > 0.2 && threshold < 0.6, "threshold " + threshold + " of a range whose dense part"
                + " ends at 0.25");
    }

    @Test
    void theKullbackLeiblerDivergenceOfEqualHistogramsIsZero() {
        assertEquals(0.0, Calibration.divergence(new double[] {1, 2, 3}, new double[] {2, 4, 6}), 1e-12);
        // p = (1/2, 1/2), q = (1/4, 3/4): 1/2 ln 2 + 1/2 ln(2/3)
        assertEquals(0.5 * Math.log(2) + 0.5 * Math.log(2.0 / 3), Calibration.divergence(new double[] {1, 1},
                new double[] {1, 3}), 1e-12);
    }

    @Test
    void badMethodsAreNamed() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> Calibration.parse("mse"));
        assertEquals("unknown activation calibration 'mse': choose minmax, percentile:P or entropy",
                unknown.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Calibration.parse("percentile:x"));
        assertThrows(IllegalArgumentException.class, () -> Calibration.parse("percentile:40"));
        assertEquals("percentile:99.99", Calibration.parse("percentile:99.99").toString());
    }
}
