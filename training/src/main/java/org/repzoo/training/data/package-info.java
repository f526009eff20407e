/**
 * The training input pipeline: the evaluation module's datasets, augmented on worker threads, each example's
 * randomness drawn from (seed, epoch, example) so that a batch is the same whatever the thread count and after a
 * resume.
 */
package org.repzoo.training.data;
