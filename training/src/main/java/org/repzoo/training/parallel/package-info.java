/**
 * How a batch is fitted: on the calling thread, or split over DL4J ParallelWrapper replicas (one per GPU with the CUDA
 * build) with their weights and updater state averaged after every batch.
 */
package org.repzoo.training.parallel;
