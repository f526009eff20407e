package org.repzoo.bench;

/**
 * A benchmark ran out of memory (the Java heap, or ND4J's off-heap limit): {@link #what()} says at which point (batch,
 * input, mode). The remedy is more memory for the JVM or ND4J, or a smaller batch.
 */
public final class BenchmarkMemoryException extends IllegalArgumentException {
    private final String what;

    public BenchmarkMemoryException(String what, OutOfMemoryError cause) {
        super("out of memory at " + what + " (" + cause.getMessage() + "): give the JVM more heap (-Xmx) and ND4J more"
                + " off-heap memory (-Dorg.bytedeco.javacpp.maxbytes, maxphysicalbytes), or use a smaller batch",
                cause);
        this.what = what;
    }

    /** Where it ran out: "batch 16, input 3x224x224, mode train". */
    public String what() {
        return what;
    }
}
