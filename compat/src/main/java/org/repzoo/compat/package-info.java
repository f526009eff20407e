/**
 * Patches for DL4J / ND4J 1.0.0-M2.1, one class per patch: oneDNN's layer helpers switched on, batch norm's variance
 * kept through JSON, a faster batch-norm helper and a oneDNN convolution for training, ReLU layers and sums that train
 * in place, a deterministic ParallelWrapper, and ND4J's thread settings. The module's README says what each fixes and how to tell when a DL4J release makes it unnecessary.
 */
package org.repzoo.compat;
