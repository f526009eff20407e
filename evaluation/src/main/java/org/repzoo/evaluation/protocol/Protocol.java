package org.repzoo.evaluation.protocol;

import java.io.Serializable;
import java.util.List;

/**
 * A test protocol as data: the weighted views of an image of a given size. An image's score is
 * {@code sum over views of weight * softmax(logits(view))} (docs/PROTOCOLS.md P6, §7.4); for a protocol of one view
 * the logits themselves are ranked, which orders classes the same way without soft-max saturation ties.
 * Implementations are records: their fields are the whole protocol (serializable, so that a distributed evaluation
 * can ship it to its workers).
 */
public sealed interface Protocol extends Serializable
        permits CenterCrops, TenCrop, GridCrops, GoogLeNetCrops, DenseViews, AverageOf {

    /** The name the command line and the report use ({@code single}, {@code multi-crop}, ...). */
    String name();

    /** The shorter sides the image is resized to, in the order the views use them. */
    List<Integer> scales();

    /** Side of the square crops the classifier sees (the smallest scale a view may use). */
    int crop();

    /** The views of a {@code width x height} image, in a fixed order, with weights summing to 1. */
    List<WeightedView> views(int width, int height);

    /** One line saying what the protocol does, recorded in the report next to every number. */
    String description();

    /** Views per image (the same for every image size). */
    default int viewsPerImage() {
        return views(crop(), crop()).size();
    }

    /** Whether some view needs the fully-convolutional form of the model. */
    default boolean needsFullyConvolutional() {
        return views(crop(), crop()).stream().anyMatch(v -> v.view().network() == View.Network.FULLY_CONVOLUTIONAL);
    }
}
