package org.repzoo.evaluation.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Counting images in two parts and adding the parts equals counting them in one pass (a distributed evaluation). */
class AccuracyAddTest {

    /** Scores for 3 classes: a right top-1, a wrong top-1, a tie on the true class, a NaN. */
    private static final double[][] SCORES = {{0.1, 0.7, 0.2}, {0.5, 0.3, 0.2}, {0.4, 0.4, 0.2}, {Double.NaN, 0.2, 0.1}};
    private static final int[] LABELS = {1, 2, 1, 1};

    @Test
    void partsAddUpToTheWhole() {
        Accuracy whole = new Accuracy(3);
        Accuracy first = new Accuracy(3);
        Accuracy second = new Accuracy(3);
        for (int i = 0; i < SCORES.length; i++) {
            whole.add(SCORES[i], LABELS[i]);
            (i < 2 ? first : second).add(SCORES[i], LABELS[i]);
        }
        first.add(second);
        // By hand: top-1 right for images 0 and 3 (NaN ranked last), image 2's tie broken towards class 0.
        assertEquals(4, first.images());
        assertEquals(2, first.top1Correct());
        assertEquals(whole.top1Correct(), first.top1Correct());
        assertEquals(whole.top5Correct(), first.top5Correct());
        assertEquals(1, first.nanImages());
        assertEquals(whole.tieDecidedTop1(), first.tieDecidedTop1());
        assertEquals(1, first.tieDecidedTop1());
        for (int c = 0; c < 3; c++) {
            assertEquals(whole.imagesOf(c), first.imagesOf(c));
            assertEquals(whole.top1CorrectOf(c), first.top1CorrectOf(c));
            assertEquals(whole.top5CorrectOf(c), first.top5CorrectOf(c));
        }
        assertEquals(3, first.imagesOf(1));
    }

    @Test
    void countsOverOtherClassesAreRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new Accuracy(3).add(new Accuracy(4)));
        assertEquals("cannot add counts over 4 classes to counts over 3", error.getMessage());
    }
}
