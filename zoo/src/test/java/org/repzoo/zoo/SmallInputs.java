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

    private static boolean builds(ModelEntry entry, int side) {
        try {
            entry.configure(ModelOptions.defaults().withClasses(CLASSES)
                    .withInput(InputShape.of(SMALL.channels(), side, side)));
            return true;
        } catch (InputTooSmallException e) {
            return false;
        }
    }
}
