/**
 * A cheaper batch variance for DL4J M2.1's batch-norm layers in training, installed under the live layers of a graph.
 */
package org.repzoo.training.batchnorm;
