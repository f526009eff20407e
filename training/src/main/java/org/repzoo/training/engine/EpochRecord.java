package org.repzoo.training.engine;

/**
 * One epoch of a run, as the log and the progress line report it.
 *
 * @param epoch          1-based
 * @param iteration      iterations done at its end
 * @param trainLoss      mean training score of its batches (the loss DL4J minimises, weight decay included)
 * @param learningRate   rate of its last iteration
 * @param validationLoss mean cross-entropy on the validation set
 * @param top1           validation top-1 accuracy
 * @param top5           validation top-5 accuracy
 * @param imagesPerSecond training images per second (input pipeline + forward + backward + update)
 * @param seconds        wall time of the epoch, validation included
 */
public record EpochRecord(int epoch, long iteration, double trainLoss, double learningRate, double validationLoss,
                          double top1, double top5, double imagesPerSecond, double seconds) {
}
