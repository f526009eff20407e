package org.repzoo.spark;

import java.io.Serializable;

/**
 * Samples as the driver ships them to an executor, by reference: their indices in the dataset and, for image files,
 * their paths and labels; an IDX file's images are found by index in the file that {@link ShippedImages} names. The
 * executor reads and decodes them; the driver never does. For ImageNet's 1.28 M training images an epoch's blocks
 * are the listing again (about 60 bytes per image file, 4 per IDX image), against 602 KB per decoded 224x224 example.
 *
 * @param epoch   the training epoch the samples are drawn for (0 for evaluation and validation)
 * @param number  the block's position: a minibatch's in its epoch, a partition's in an evaluation
 * @param indices each sample's index in the dataset, which also seeds its augmentation
 * @param paths   each sample's file as the driver listed it, or null for an IDX file's images
 * @param labels  each sample's class, or null for an IDX file's images (the file holds them)
 */
record SampleBlock(int epoch, int number, int[] indices, String[] paths, int[] labels) implements Serializable {

    int size() {
        return indices.length;
    }
}
