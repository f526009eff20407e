package org.repzoo.evaluation.data;

import java.io.IOException;

/** A bad input stopped the work; the message names the path and the problem. */
public final class BadInputException extends IOException {

    private final transient BadInput input;
    private final boolean skippable;

    /** A bad dataset (a missing, truncated or inconsistent file): nothing that skipping inputs would get past. */
    public BadInputException(BadInput input) {
        this(input, false);
    }

    private BadInputException(BadInput input, boolean skippable) {
        super(input.toString());
        this.input = input;
        this.skippable = skippable;
    }

    /** A bad input that evaluation met and could have skipped ({@code EvaluationOptions.BadInputs.SKIP}). */
    public static BadInputException skippable(BadInput input) {
        return new BadInputException(input, true);
    }

    public BadInput input() {
        return input;
    }

    /** Whether evaluating with bad inputs skipped would have gone on past this one. */
    public boolean skippable() {
        return skippable;
    }
}
