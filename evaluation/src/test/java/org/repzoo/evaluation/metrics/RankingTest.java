package org.repzoo.evaluation.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The stable order of docs/PROTOCOLS.md §5.4 (numpy's {@code argsort(-s, kind='stable')}), on its own tie
 * examples, where {@code torch.topk} returns an implementation-defined order.
 */
class RankingTest {

    @Test
    void tiesGoToTheLowerClassIndex() {
        // torch.topk gives [8, 6, 7, 5, 9] and [1, 6, 4] here (docs/PROTOCOLS.md §5.4); numpy's stable argsort
        // gives these.
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, Ranking.top(new double[10], 5));
        assertArrayEquals(new int[] {1, 2, 4}, Ranking.top(new double[] {1, 3, 3, 0, 3, 2, 3}, 3));
        assertArrayEquals(new int[] {1, 2, 4, 6, 5, 0, 3}, Ranking.top(new double[] {1, 3, 3, 0, 3, 2, 3}, 7));
    }

    @Test
    void nanRanksLast() {
        // torch.topk ranks NaN first; here NaN is -inf, ties among NaNs by index.
        double nan = Double.NaN;
        assertArrayEquals(new int[] {2, 1, 0, 3}, Ranking.top(new double[] {nan, 1, 2, nan}, 4));
        assertArrayEquals(new int[] {1, 0}, Ranking.top(new double[] {Double.NEGATIVE_INFINITY, -1e300}, 2));
        assertTrue(Ranking.hasNaN(new double[] {0, nan}));
        assertFalse(Ranking.inTop(new double[] {nan, 1, 2}, 0, 2));
        assertTrue(Ranking.inTop(new double[] {nan, 1, 2}, 1, 2));
    }

    @Test
    void kIsCappedAtTheClassCount() {
        assertArrayEquals(new int[] {1, 0, 2}, Ranking.top(new double[] {0.5, 0.9, 0.1}, 5));
    }

    @Test
    void inTopAgreesWithTop() {
        double[] scores = {0.1, 0.4, 0.4, 0.05, 0.4, 0.05};
        int[] order = Ranking.top(scores, 6);
        for (int k = 1; k <= 6; k++) {
            for (int c = 0; c < scores.length; c++) {
                boolean expected = false;
                for (int i = 0; i < k; i++) {
                    expected |= order[i] == c;
                }
                assertEquals(expected, Ranking.inTop(scores, c, k), "class " + c + " top-" + k);
            }
        }
    }

    @Test
    void tieDecidesWhenOptimisticAndPessimisticDisagree() {
        double[] scores = {0.2, 0.5, 0.5, 0.1};
        assertTrue(Ranking.tieDecides(scores, 2, 1), "class 2 is top-1 only if the tie breaks its way");
        assertTrue(Ranking.tieDecides(scores, 1, 1));
        assertFalse(Ranking.tieDecides(scores, 1, 2));
        assertFalse(Ranking.tieDecides(scores, 0, 1), "no tie involves class 0");
    }

    @Test
    void accuracyCountsPerClassWithTies() {
        Accuracy accuracy = new Accuracy(3);
        accuracy.add(new double[] {0.7, 0.2, 0.1}, 0);      // top-1
        accuracy.add(new double[] {0.5, 0.5, 0.0}, 1);      // tied with class 0, which wins: top-5 only
        accuracy.add(new double[] {Double.NaN, 0.1, 0.9}, 2); // NaN last; class 2 is top-1
        accuracy.add(new double[] {0.2, 0.3, 0.5}, 0);      // wrong at top-1
        assertEquals(4, accuracy.images());
        assertEquals(2, accuracy.top1Correct());
        assertEquals(4, accuracy.top5Correct(), "3 classes: k capped, everything is top-5");
        assertEquals(0.5, accuracy.top1Error());
        assertEquals(0.0, accuracy.top5Error());
        assertEquals(2, accuracy.imagesOf(0));
        assertEquals(1, accuracy.top1CorrectOf(0));
        assertEquals(0, accuracy.top1CorrectOf(1));
        assertEquals(1, accuracy.nanImages());
        assertEquals(1, accuracy.tieDecidedTop1());
        assertThrows(IllegalArgumentException.class, () -> accuracy.add(new double[] {1, 2}, 2));
    }

    @Test
    void softmaxIsWeightedAndStable() {
        double[] into = new double[3];
        Softmax.addWeighted(new float[] {9, 1000, 1001, 1002}, 1, 3, 0.5, into);
        double z = 1 + Math.exp(1) + Math.exp(2);
        assertArrayEquals(new double[] {0.5 / z, 0.5 * Math.exp(1) / z, 0.5 * Math.exp(2) / z}, into, 1e-15);
        Softmax.addWeighted(new float[] {0, 0, 0}, 0, 3, 0.5, into);
        assertEquals(1.0, into[0] + into[1] + into[2], 1e-15);
        Softmax.addWeighted(new float[] {0, Float.NaN, 0}, 0, 3, 0.5, into);
        assertTrue(Double.isNaN(into[0]) && Double.isNaN(into[2]), "a NaN logit poisons the posterior");
    }
}
