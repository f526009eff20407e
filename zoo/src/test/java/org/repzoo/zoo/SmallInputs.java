package org.repzoo.zoo;

import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.InputTooSmallException;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;

/** The input size registry-wide tests run each model at: small, so that every architecture's forward pass is quick. */
public final class SmallInputs {

    /** Small enough to be quick; a net whose valid convolutions and pools need more gets the smallest it takes. */
    public static final InputShape SMALL = InputShape.of(3, 64, 64);
    /** The class count registry-wide tests build heads with. */
    public static final int CLASSES = 10;

    private SmallInputs() {
    }

    /**
     * {@link #SMALL}, or for a net that cannot take it the smallest square input it builds at (Inception v3's
     * auxiliary classifier needs 299x299), found by bisection: configuring allocates nothing.
     */
    public static InputShape of(ModelEntry entry) {
        if (builds(entry, SMALL.height())) {
            return SMALL;
        }
        int tooSmall = SMALL.height();
        int enough = entry.defaultInput().height();
        if (!builds(entry, enough)) {
            throw new IllegalStateException(entry.name() + " does not build at its default input");
        }
        while (enough - tooSmall > 1) {
            int middle = (tooSmall + enough) / 2;
            if (builds(entry, middle)) {
                enough = middle;
            } else {
                tooSmall = middle;
            }
        }
        return InputShape.of(SMALL.channels(), enough, enough);
    }

    /** The options registry-wide tests build with: {@link #CLASSES} classes at {@link #of}'s input. */
    public static ModelOptions options(ModelEntry entry) {
        return ModelOptions.defaults().withClasses(CLASSES).withInput(of(entry));
    }

    /**
     * The smallest square input {@code entry} builds at with {@code options} (their input is ignored), by bisection
     * between 1 and the default input: a ResNet takes 1x1, Inception v4 75x75.
     */
    public static InputShape smallest(ModelEntry entry, ModelOptions options) {
        if (!builds(entry, options, entry.defaultInput().height())) {
            throw new IllegalStateException(entry.name() + " does not build at its default input");
        }
        int tooSmall = 0;
        int enough = entry.defaultInput().height();
        while (enough - tooSmall > 1) {
            int middle = (tooSmall + enough) / 2;
            if (builds(entry, options, middle)) {
                enough = middle;
            } else {
                tooSmall = middle;
            }
        }
        return InputShape.of(SMALL.channels(), enough, enough);
    }

    private static boolean builds(ModelEntry entry, int side) {
        return builds(entry, ModelOptions.defaults().withClasses(CLASSES), side);
    }

    private static boolean builds(ModelEntry entry, ModelOptions options, int side) {
        try {
            entry.configure(options.withInput(InputShape.of(SMALL.channels(), side, side)));
            return true;
        } catch (InputTooSmallException e) {
            return false;
        }
    }
}
