package org.repzoo.deploy.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The three ways of choosing an activation's range, on histograms whose answer can be worked out. */
class CalibrationTest {

    @Test
    void minmaxKeepsTheWholeRange() {
        assertEquals(10.0, Calibration.parse("minmax").threshold(10, new long[] {5, 0, 0, 1}));
    }

    @Test
    void aPercentileIsTheMagnitudeBelowWhichThatShareLies() {
        long[] counts = {50, 30, 10, 5, 3, 1, 1, 0, 0, 0}; // 100 magnitudes in 10 bins of width 1 over [0, 10]
        assertEquals(3.0, Calibration.parse("percentile:90").threshold(10, counts), 1e-12);
        assertEquals(6.0, Calibration.parse("percentile:99").threshold(10, counts), 1e-12);
        assertEquals(7.0, Calibration.parse("percentile:100").threshold(10, counts), 1e-12);
    }

    @Test
    void entropyClipsRareOutliersAndKeepsADenseRange() {
        long[] outliers = new long[Calibration.BINS];
        for (int b = 0; b < 200; b++) {
            outliers[b] = 1000 - 4L * b; // a falling distribution over the first 200 bins
        }
        outliers[Calibration.BINS - 1] = 1; // one outlier at the top
        double clipped = Calibration.parse("entropy").threshold(1.0, outliers);
        assertTrue(clipped < 0.25 && clipped > 0.05, "threshold " + clipped);

        long[] uniform = new long[Calibration.BINS];
        java.util.Arrays.fill(uniform, 100);
        double kept = Calibration.parse("entropy").threshold(1.0, uniform);
        assertTrue(kept > 0.95, "a uniform distribution loses most by clipping: " + kept);
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
