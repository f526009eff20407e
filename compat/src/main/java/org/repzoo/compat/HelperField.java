package org.repzoo.compat;

import java.lang.reflect.Field;

/**
 * A DL4J layer class's {@code helper} field, which M2.1 fills from two hard-coded class names (cuDNN's, oneDNN's) and
 * offers no setter or hook for: RepZoo's training helpers are put in place through it.
 *
 * @param <L> the layer class
 * @param <H> its helper interface
 */
final class HelperField<L, H> {
    private final Field field;
    private final Class<H> helperType;

    HelperField(Class<L> layerType, Class<H> helperType) {
        this.helperType = helperType;
        try {
            field = layerType.getDeclaredField("helper");
            field.setAccessible(true);
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("DL4J's " + layerType.getSimpleName()
                    + " has no 'helper' field: not DL4J 1.0.0-M2.1?", e);
        }
    }

    H get(L layer) {
        try {
            return helperType.cast(field.get(layer));
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read the helper of " + layer.getClass().getSimpleName(), e);
        }
    }

    void set(L layer, H helper) {
        try {
            field.set(layer, helper);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot set the helper of " + layer.getClass().getSimpleName(), e);
        }
    }
}
