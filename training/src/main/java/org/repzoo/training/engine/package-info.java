/**
 * The training loop: a recipe applied to a graph, the input pipeline, validation each epoch, atomic checkpoints
 * every N iterations and each epoch (exact resume), and the run's JSON log and PNG curve.
 */
package org.repzoo.training.engine;
