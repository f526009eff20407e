package org.repzoo.evaluation.protocol;

/**
 * A view and its weight in the protocol's average of soft-max posteriors (docs/PROTOCOLS.md P6: equal weights over
 * a protocol's views, and halves for the average of two protocols, VGG §4.3).
 */
public record WeightedView(View view, double weight) {

    public WeightedView {
        if (!(weight > 0 && weight <= 1)) {
            throw new IllegalArgumentException("view weight must be in (0, 1], got " + weight);
        }
    }
}
