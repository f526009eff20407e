/**
 * A faster batch norm for DL4J M2.1's batch-norm layers in training (plain Java loops over NCHW planes instead of its
 * oneDNN helper), installed under the live layers of a graph.
 */
package org.repzoo.training.batchnorm;
