package org.repzoo.weights;

/** A strict load found keys that do not fit; the message lists every one of them. */
public final class WeightsMismatchException extends IllegalArgumentException {

    private final LoadReport report;

    public WeightsMismatchException(LoadReport report) {
        this("weights do not fit the architecture", report);
    }

    /** @param summary the first line, e.g. which file does not fit which architecture */
    public WeightsMismatchException(String summary, LoadReport report) {
        super(summary + " (" + report.problems().size() + " problems):\n  " + String.join("\n  ", report.problems()));
        this.report = report;
    }

    public LoadReport report() {
        return report;
    }
}
