/**
 * Training: the papers' recipes as data ({@link org.repzoo.training.recipe}), the pieces DL4J lacks (momentum SGD as
 * PyTorch computes it, TensorFlow's RMSProp, cosine/step/warm-up schedules, label smoothing, weight averaging) and
 * crash-safe checkpoints, and the same data and recipes for DL4J's own loops ({@link org.repzoo.training.iterator}).
 * Architecture code never imports this module: a recipe is applied to a built graph.
 */
package org.repzoo.training;
