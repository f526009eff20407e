/**
 * Structural re-parameterisation: RepVGG's multi-branch blocks into one 3x3 convolution, and conv-BN folding for any
 * net. {@link org.repzoo.reparam.KernelMath} is the pure tensor math; the graph transforms build a new graph and never
 * change their input.
 */
package org.repzoo.reparam;
