/** Averages of the weights over training (exponential moving average, Polyak's uniform average) kept beside the net. */
package org.repzoo.training.average;
