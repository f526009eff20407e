package org.repzoo.zoo.core;

/** Weights that do not fit a configuration: there are more or fewer of them than it has parameters. */
public final class ParameterCountException extends IllegalArgumentException {
    private final long given;
    private final long needed;

    public ParameterCountException(long given, long needed) {
        super(given + " weights given, but the configuration needs " + needed);
        this.given = given;
        this.needed = needed;
    }

    public long given() {
        return given;
    }

    public long needed() {
        return needed;
    }

    /** "holds G weights but its configuration needs N", for a message about a file. */
    public String asFileProblem() {
        return "holds " + given + " weights but its configuration needs " + needed;
    }
}
