package org.repzoo.evaluation.engine;

/**
 * Where an evaluation's time went, in seconds.
 *
 * @param total    wall-clock time of the run (model loading excluded)
 * @param model    time in the models' forward passes
 * @param waiting  time the model thread waited for prepared images: the pipeline's overhead
 * @param batching time the model thread spent normalising patches into batches
 * @param prepare  worker time decoding and cutting views, summed over workers
 */
public record Timings(double total, double model, double waiting, double batching, double prepare) {

    /** Waiting as a fraction of model time (the bound: below 10%). */
    public double overhead() {
        return model > 0 ? waiting / model : 0;
    }
}
