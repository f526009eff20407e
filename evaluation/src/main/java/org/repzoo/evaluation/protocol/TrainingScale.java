package org.repzoo.evaluation.protocol;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The scale S a VGG model was trained at, fixed or jittered in {@code [min, max]}, and the test scales the paper
 * derives from it (Simonyan &amp; Zisserman 2015, §4.1, §4.2; docs/PROTOCOLS.md §1.2): single-scale Q = S, or
 * 0.5 (S_min + S_max) when jittered; multi-scale {S - 32, S, S + 32}, or {S_min, 0.5 (S_min + S_max), S_max}.
 */
public record TrainingScale(int min, int max) {

    private static final Pattern TEXT = Pattern.compile("(\\d+)(?:[-:](\\d+))?");
    private static final int FIXED_STEP = 32;

    public TrainingScale {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("training scale must be S or Smin-Smax with 0 < Smin <= Smax, got "
                    + min + "-" + max);
        }
    }

    /** {@code 256} (fixed) or {@code 256-512} / {@code 256:512} (jittered). */
    public static TrainingScale parse(String text) {
        Matcher m = TEXT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("bad training scale '" + text + "': expected S (e.g. 256) or "
                    + "Smin-Smax (e.g. 256-512)");
        }
        int min = Integer.parseInt(m.group(1));
        return new TrainingScale(min, m.group(2) == null ? min : Integer.parseInt(m.group(2)));
    }

    public boolean jittered() {
        return max != min;
    }

    /** §4.1: Q = S, or 0.5 (S_min + S_max) (rounded half to even when the sum is odd). */
    public int singleTestScale() {
        return jittered() ? (int) Math.rint(0.5 * (min + max)) : min;
    }

    /** §4.2: three test scales around the training scale. */
    public List<Integer> testScales() {
        return jittered() ? List.of(min, singleTestScale(), max) : List.of(min - FIXED_STEP, min, min + FIXED_STEP);
    }

    @Override
    public String toString() {
        return jittered() ? min + "-" + max : Integer.toString(min);
    }
}
