package org.repzoo.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TimingStatsTest {

    @Test
    void medianMinMaxOfOddAndEvenCounts() {
        assertEquals(new TimingStats(2.0, 1.0, 9.0, 3), TimingStats.of(new double[] {9.0, 1.0, 2.0}));
        assertEquals(new TimingStats(2.5, 1.0, 9.0, 4), TimingStats.of(new double[] {3.0, 9.0, 1.0, 2.0}));
        assertEquals(0.5, TimingStats.median(new double[] {0.5}));
    }

    @Test
    void inputIsNotReorderedAndEmptyIsRefused() {
        double[] samples = {3.0, 1.0, 2.0};
        TimingStats.of(samples);
        assertEquals(3.0, samples[0]);
        assertThrows(IllegalArgumentException.class, () -> TimingStats.of(new double[0]));
    }
}
