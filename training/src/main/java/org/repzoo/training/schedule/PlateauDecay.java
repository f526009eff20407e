package org.repzoo.training.schedule;

/**
 * VGG's rule (Simonyan &amp; Zisserman 2015, section 3.1): "the learning rate was decreased by a factor of 10 when the
 * validation set accuracy stopped improving". It depends on validation results, so it cannot be an
 * {@code ISchedule}; the training loop reports each epoch's accuracy and sets the returned rate on the graph.
 * An epoch counts as an improvement when it beats the best accuracy so far by more than {@code minDelta}.
 */
public final class PlateauDecay {

    private final double factor;
    private final int patience;
    private final double minDelta;
    private double learningRate;
    private double best = Double.NEGATIVE_INFINITY;
    private int epochsWithoutImprovement;

    public PlateauDecay(double initialLearningRate, double factor, int patience, double minDelta) {
        if (!(factor > 0 && factor < 1) || patience < 1 || minDelta < 0) {
            throw new IllegalArgumentException("need 0 < factor < 1, patience >= 1 and minDelta >= 0; got factor "
                    + factor + ", patience " + patience + ", minDelta " + minDelta);
        }
        this.learningRate = initialLearningRate;
        this.factor = factor;
        this.patience = patience;
        this.minDelta = minDelta;
    }

    /**
     * Where the rule stands, for a checkpoint: the current rate, the best accuracy (negative infinity before the
     * first validation) and the epochs since it improved.
     */
    public record Snapshot(double learningRate, double best, int epochsWithoutImprovement) {
    }

    public Snapshot snapshot() {
        return new Snapshot(learningRate, best, epochsWithoutImprovement);
    }

    /** Continues from a snapshot (the factor, patience and threshold come from the recipe, as at the start). */
    public void restore(Snapshot snapshot) {
        this.learningRate = snapshot.learningRate();
        this.best = snapshot.best();
        this.epochsWithoutImprovement = snapshot.epochsWithoutImprovement();
    }

    /** Records one epoch's validation accuracy; returns the learning rate for the next epoch. */
    public double onValidation(double accuracy) {
        if (accuracy > best + minDelta) {
            best = accuracy;
            epochsWithoutImprovement = 0;
        } else if (++epochsWithoutImprovement >= patience) {
            learningRate *= factor;
            epochsWithoutImprovement = 0;
        }
        return learningRate;
    }

    public double learningRate() {
        return learningRate;
    }
}
