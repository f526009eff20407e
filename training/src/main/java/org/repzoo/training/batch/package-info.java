/** Turning a batch of images and labels into what a graph with one or several classifier outputs trains on. */
package org.repzoo.training.batch;
