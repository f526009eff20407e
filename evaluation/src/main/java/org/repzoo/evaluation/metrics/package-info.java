/**
 * Scores to metrics: the soft-max, the stable top-k ranking (score descending, then class index; NaN last) and the
 * top-1 / top-5 counts per class (docs/PROTOCOLS.md §5). Counts are integers over images, never per-batch
 * percentages.
 */
package org.repzoo.evaluation.metrics;
