/**
 * Evaluation: ImageNet class names and the test protocols of the papers and reference zoos, built from the image
 * preprocessing in {@link org.repzoo.evaluation.image}. Reads each model's
 * {@link org.repzoo.zoo.core.EvalPreset}; nothing here hard-codes a resize, crop or normalisation.
 */
package org.repzoo.evaluation;
