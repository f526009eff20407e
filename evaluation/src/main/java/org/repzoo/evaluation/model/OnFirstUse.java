package org.repzoo.evaluation.model;

import java.util.function.Supplier;

/**
 * A value made once, when it is first asked for (a model's fully-convolutional form, which most evaluations never
 * need), then shared by every caller.
 */
public final class OnFirstUse<T> implements Supplier<T> {

    private final Supplier<T> make;
    private T made;

    public OnFirstUse(Supplier<T> make) {
        this.make = make;
    }

    @Override
    public synchronized T get() {
        if (made == null) {
            made = make.get();
        }
        return made;
    }

    /** Whether it has been made (so that its owner knows what to release). */
    public synchronized boolean isMade() {
        return made != null;
    }
}
