/**
 * Optimizers the papers used that DL4J 1.0.0-M2.1 does not have: heavy-ball momentum SGD (DL4J only has Nesterov's)
 * and TensorFlow's RMSProp (mean square starting at 1, epsilon inside the square root, with momentum). Both extend
 * {@link org.repzoo.training.optim.ScheduledUpdater}, which holds what DL4J asks of every updater, so each keeps only
 * its hyper-parameters, its state layout and its update rule.
 */
package org.repzoo.training.optim;
