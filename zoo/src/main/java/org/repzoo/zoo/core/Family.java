package org.repzoo.zoo.core;

/** Architecture families, as listed by {@code repzoo list}. */
public enum Family {
    VGG("VGG"),
    NIN("Network-in-Network"),
    RESNET("ResNet"),
    REPVGG("RepVGG"),
    GOOGLENET("GoogLeNet"),
    INCEPTION("Inception"),
    INCEPTION_V4("Inception-v4 / Inception-ResNet"),
    XCEPTION("Xception");

    private final String displayName;

    Family(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }
}
