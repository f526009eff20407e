package org.repzoo.evaluation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** A hand-computed comparison: three images, one whose top-1 flips, one tie broken by class index. */
class AgreementTest {

    @Test
    void countsSameTopOneAndTheLargestGap() {
        Map<String, double[]> reference = Map.of(
                "a", new double[] {1.0, 3.0, -2.0},
                "b", new double[] {0.5, 0.4, 0.0},
                "c", new double[] {2.0, 2.0, -4.5});
        Map<String, double[]> other = Map.of(
                "a", new double[] {1.25, 2.5, -2.0},   // still class 1; gap 0.5
                "b", new double[] {0.3, 0.45, 0.0},    // class 0 -> 1; gap 0.2
                "c", new double[] {2.0, 2.0, -4.5});   // tie: class 0 both times
        Agreement agreement = Agreement.of(reference, other);
        assertEquals(3, agreement.images());
        assertEquals(2, agreement.samePrediction());
        assertEquals(0.5, agreement.maxAbsDifference(), 1e-12);
        assertEquals(4.5, agreement.maxAbsLogit(), 1e-12);
    }

    @Test
    void refusesScoresThatDoNotPair() {
        assertThrows(IllegalArgumentException.class, () -> Agreement.of(Map.of("a", new double[] {1, 2}),
                Map.of("a", new double[] {1, 2, 3})));
        assertThrows(IllegalArgumentException.class, () -> Agreement.of(Map.of("a", new double[] {1, 2}), Map.of()));
    }
}
