package org.repzoo.evaluation.metrics;

/**
 * The reference order of docs/PROTOCOLS.md §5.4 [ours]: classes sorted by score descending, ties by class index
 * ascending (a stable sort of {@code -score}, like {@code torch.sort(stable=True, descending=True)} or numpy's
 * {@code argsort(-s, kind='stable')}), NaN treated as {@code -inf}. {@code torch.topk}'s order of tied values is
 * implementation-defined and ranks NaN first; this order is defined and ranks NaN last.
 */
public final class Ranking {

    private Ranking() {
    }

    /** The first {@code k} classes of the order ({@code k} is capped at the number of classes, as timm caps it). */
    public static int[] top(double[] scores, int k) {
        int count = Math.min(k, scores.length);
        int[] top = new int[count];
        boolean[] taken = new boolean[scores.length];
        for (int rank = 0; rank < count; rank++) {
            int best = -1;
            for (int c = 0; c < scores.length; c++) {
                if (!taken[c] && (best < 0 || before(scores, c, best))) {
                    best = c;
                }
            }
            taken[best] = true;
            top[rank] = best;
        }
        return top;
    }

    /** Whether class {@code a} comes before class {@code b}. */
    static boolean before(double[] scores, int a, int b) {
        double x = key(scores[a]);
        double y = key(scores[b]);
        return x > y || (x == y && a < b);
    }

    /** Whether {@code target} is among the first {@code k} classes of the order. */
    public static boolean inTop(double[] scores, int target, int k) {
        int ahead = 0;
        for (int c = 0; c < scores.length && ahead < k; c++) {
            if (c != target && before(scores, c, target)) {
                ahead++;
            }
        }
        return ahead < k;
    }

    /**
     * Whether the top-{@code k} decision for {@code target} depends on how ties are broken: the optimistic rule
     * ({@code #{j : s_j > s_t} < k}) and the pessimistic one ({@code #{j != t : s_j >= s_t} < k}) disagree.
     */
    public static boolean tieDecides(double[] scores, int target, int k) {
        double mine = key(scores[target]);
        int above = 0;
        int atLeast = 0;
        for (int c = 0; c < scores.length; c++) {
            double other = key(scores[c]);
            if (other > mine) {
                above++;
            }
            if (c != target && other >= mine) {
                atLeast++;
            }
        }
        return (above < k) != (atLeast < k);
    }

    public static boolean hasNaN(double[] scores) {
        for (double score : scores) {
            if (Double.isNaN(score)) {
                return true;
            }
        }
        return false;
    }

    private static double key(double score) {
        return Double.isNaN(score) ? Double.NEGATIVE_INFINITY : score;
    }
}
