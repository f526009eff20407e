package org.repzoo.zoo.core;

import java.util.List;

/**
 * An architecture a user may resize without changing its kind: other blocks per stage and all widths scaled, as a
 * CPU-sized RepVGG for 32x32 images. The registered entries keep the papers' sizes; training asks for the rest.
 */
public interface Resizable {

    /**
     * @param depths      blocks per stage, or null to keep the architecture's
     * @param widthFactor every stage's channels times this (widths round down, at least 1)
     */
    Architecture resized(List<Integer> depths, double widthFactor);
}
