/**
 * Datasets behind one interface: an ImageNet-style folder tree (torchvision's {@code ImageFolder}), an ILSVRC-2012
 * validation folder with its ground-truth file, and (Fashion-)MNIST IDX files. A dataset lists its samples and the
 * problems found while listing them (an empty class folder, an image without a label, a label without an image),
 * each with its path; decoding happens later, on the evaluation's worker threads.
 */
package org.repzoo.evaluation.data;
