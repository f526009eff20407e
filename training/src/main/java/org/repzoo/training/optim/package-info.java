/**
 * Optimizers the papers used that DL4J 1.0.0-M2.1 does not have: heavy-ball momentum SGD (DL4J only has Nesterov's)
 * and TensorFlow's RMSProp (mean square starting at 1, epsilon inside the square root, with momentum).
 */
package org.repzoo.training.optim;
