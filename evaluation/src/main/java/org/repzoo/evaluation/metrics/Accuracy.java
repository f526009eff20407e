package org.repzoo.evaluation.metrics;

import java.io.Serializable;

/**
 * Top-1 and top-5 counts of one protocol, overall and per class (docs/PROTOCOLS.md §5.1: error is the fraction of
 * images, averaged over images). Images whose scores hold a NaN are ranked with NaN as {@code -inf} and counted
 * apart; so are images whose top-1 or top-5 decision depends on how ties are broken (§5.4's optimistic and
 * pessimistic variants disagree).
 */
public final class Accuracy implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The k of top-k error that the papers report besides top-1. */
    public static final int TOP_K = 5;

    private final int classes;
    private final long[] images;
    private final long[] top1;
    private final long[] topK;
    private long nanImages;
    private long tieDecidedTop1;
    private long tieDecidedTopK;

    public Accuracy(int classes) {
        if (classes < 1) {
            throw new IllegalArgumentException("need at least one class, got " + classes);
        }
        this.classes = classes;
        this.images = new long[classes];
        this.top1 = new long[classes];
        this.topK = new long[classes];
    }

    /**
     * Counts one image whose true class is {@code target}; returns its first {@code min(5, scores.length)} classes.
     */
    public int[] add(double[] scores, int target) {
        if (target < 0 || target >= classes) {
            throw new IllegalArgumentException("true class " + target + " outside 0.." + (classes - 1));
        }
        if (target >= scores.length) {
            throw new IllegalArgumentException("true class " + target + " but the model scores only " + scores.length
                    + " classes");
        }
        int[] ranked = Ranking.top(scores, TOP_K);
        images[target]++;
        if (ranked[0] == target) {
            top1[target]++;
        }
        for (int c : ranked) {
            if (c == target) {
                topK[target]++;
                break;
            }
        }
        if (Ranking.hasNaN(scores)) {
            nanImages++;
        }
        if (Ranking.tieDecides(scores, target, 1)) {
            tieDecidedTop1++;
        }
        if (Ranking.tieDecides(scores, target, TOP_K)) {
            tieDecidedTopK++;
        }
        return ranked;
    }

    /**
     * Adds another part's counts (the same classes) to these: counting images in parts and adding the parts gives the
     * counts of one pass over all of them, as a distributed evaluation needs.
     */
    public void add(Accuracy part) {
        if (part.classes != classes) {
            throw new IllegalArgumentException("cannot add counts over " + part.classes + " classes to counts over "
                    + classes);
        }
        for (int c = 0; c < classes; c++) {
            images[c] += part.images[c];
            top1[c] += part.top1[c];
            topK[c] += part.topK[c];
        }
        nanImages += part.nanImages;
        tieDecidedTop1 += part.tieDecidedTop1;
        tieDecidedTopK += part.tieDecidedTopK;
    }

    public int classes() {
        return classes;
    }

    public long images() {
        return sum(images);
    }

    public long top1Correct() {
        return sum(top1);
    }

    public long top5Correct() {
        return sum(topK);
    }

    /** Top-1 error as a fraction in [0, 1]; NaN before any image. */
    public double top1Error() {
        return 1.0 - (double) top1Correct() / images();
    }

    public double top5Error() {
        return 1.0 - (double) top5Correct() / images();
    }

    public long imagesOf(int c) {
        return images[c];
    }

    public long top1CorrectOf(int c) {
        return top1[c];
    }

    public long top5CorrectOf(int c) {
        return topK[c];
    }

    public long nanImages() {
        return nanImages;
    }

    public long tieDecidedTop1() {
        return tieDecidedTop1;
    }

    public long tieDecidedTop5() {
        return tieDecidedTopK;
    }

    private static long sum(long[] values) {
        long total = 0;
        for (long v : values) {
            total += v;
        }
        return total;
    }
}
