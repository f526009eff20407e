package org.repzoo.evaluation.data;

import java.io.IOException;

/** A bad input stopped the work; the message names the path and the problem. */
public final class BadInputException extends IOException {

    private static final String SKIP_HINT =
            " (--skip-bad counts and lists bad inputs in the report instead of stopping)";

    private final transient BadInput input;

    /** A bad dataset (a missing, truncated or inconsistent file): nothing to skip, so no hint. */
    public BadInputException(BadInput input) {
        this(input, "");
    }

    private BadInputException(BadInput input, String hint) {
        super(input + hint);
        this.input = input;
    }

    /** A bad input that evaluation met and could have skipped: the message says how ({@code eval --skip-bad}). */
    public static BadInputException skippable(BadInput input) {
        return new BadInputException(input, SKIP_HINT);
    }

    public BadInput input() {
        return input;
    }
}
