package org.repzoo.training.engine;

/** A point of the loss curve: the score of one iteration's batch and its learning rate. */
public record IterationRecord(long iteration, int epoch, double loss, double learningRate) {
}
