package org.repzoo.compat;

/**
 * Turns on DL4J's oneDNN layer helpers, which M2.1 ships but never uses on the CPU: they are disabled unless the
 * system property {@value #HELPERS_PROPERTY} is {@code false}, and their availability check looks up a class that
 * M2.1 renamed (answered by the {@code org.nd4j.nativeblas.Nd4jCpu} shim in this module, which logs a warning when it
 * cannot ask). Measured 10x faster for convolution on the {@code linux-x86_64-onednn} build, with outputs equal to the
 * built-in path within ~1e-6.
 *
 * <p>The property is read when a layer is instantiated, so this must run before a graph is built or loaded:
 * {@code org.repzoo.zoo.core.Graphs}, which makes every RepZoo graph, calls it. A user who sets the property
 * explicitly (to {@code true}) keeps that choice.
 */
public final class OneDnn {

    public static final String HELPERS_PROPERTY = "org.eclipse.deeplearning4j.helpers.disable";

    private OneDnn() {
    }

    public static void enable() {
        if (System.getProperty(HELPERS_PROPERTY) == null) {
            System.setProperty(HELPERS_PROPERTY, "false");
        }
    }
}
