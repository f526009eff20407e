package org.repzoo.zoo.core;

import java.util.List;

/**
 * An architecture whose downsampling a user may move: the first stride of each stage, as a RepVGG for 32x32 images
 * that keeps its resolution longer. The registered entries keep the papers' strides.
 */
public interface Restridable {

    /**
     * @param strides one stride per stage, 1 or 2
     * @throws SettingException ({@code strides}) when the list does not fit the architecture
     */
    Architecture withStrides(List<Integer> strides);
}
