package org.repzoo.training.checkpoint;

import java.util.SplittableRandom;

/**
 * The order in which an epoch visits the training examples: a Fisher-Yates shuffle drawn from the run's seed and the
 * epoch number alone, so it is the same on every machine and after every resume, whatever happened before.
 */
public final class DataOrder {

    private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;

    private DataOrder() {
    }

    public static int[] permutation(long seed, int epoch, int size) {
        if (size < 0 || epoch < 0) {
            throw new IllegalArgumentException("need size >= 0 and epoch >= 0, got " + size + ", " + epoch);
        }
        SplittableRandom random = new SplittableRandom(seed + GOLDEN_GAMMA * (epoch + 1L));
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        for (int i = size - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }
}
