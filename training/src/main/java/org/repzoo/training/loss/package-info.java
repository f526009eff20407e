/** Loss functions the recipes need beyond zoo's {@code LogitsCrossEntropy}: label smoothing. */
package org.repzoo.training.loss;
