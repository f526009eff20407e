package org.repzoo.evaluation.data;

import java.util.List;

/**
 * Labelled images, listed up front (paths and labels only: nothing is decoded until the evaluation asks), in a fixed
 * order: torchvision's for folder trees, the file's for IDX, the image number for ILSVRC validation.
 */
public interface Dataset {

    /** What kind of dataset it is ({@code image-folder}, {@code ilsvrc2012-val}, {@code idx}). */
    String kind();

    /** Where it is. */
    String location();

    /** Class names in class-index order. */
    List<String> classNames();

    /** The images, in order. */
    List<Sample> samples();

    /** Problems found while listing, each with its path: empty class folders, missing or extra labels. */
    List<BadInput> problems();
}
