package org.repzoo.evaluation.data;

import java.io.IOException;

/** Evaluation stopped at a bad input (without {@code --skip-bad}); the message names the path and the problem. */
public final class BadInputException extends IOException {

    private final transient BadInput input;

    public BadInputException(BadInput input) {
        super(input + " (--skip-bad counts and lists bad inputs in the report instead of stopping)");
        this.input = input;
    }

    public BadInput input() {
        return input;
    }
}
