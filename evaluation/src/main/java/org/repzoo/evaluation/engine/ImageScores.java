package org.repzoo.evaluation.engine;

/** The logits of one image's distinct views, per model, filled as batches complete. */
final class ImageScores {

    final Prepared prepared;
    /** {@code [model][view * classes + class]}. */
    final float[][] logits;
    final int classes;
    private int remaining;

    ImageScores(Prepared prepared, int models, int classes) {
        this.prepared = prepared;
        this.classes = classes;
        int views = prepared.plan().views().size();
        this.logits = new float[models][views * classes];
        this.remaining = views;
    }

    /** One view done for every model; its patch is no longer needed. */
    void viewDone(int view) {
        prepared.patches()[view] = null;
        remaining--;
    }

    boolean complete() {
        return remaining == 0;
    }
}
