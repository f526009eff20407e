package org.repzoo.zoo.weights;

/** A strict load found keys that do not fit; the message lists every one of them. */
public final class WeightsMismatchException extends IllegalArgumentException {

    private final LoadReport report;

    public WeightsMismatchException(LoadReport report) {
        super("weights do not fit the architecture (" + report.problems().size() + " problems):\n  "
                + String.join("\n  ", report.problems()));
        this.report = report;
    }

    public LoadReport report() {
        return report;
    }
}
