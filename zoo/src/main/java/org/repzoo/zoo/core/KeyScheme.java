package org.repzoo.zoo.core;

/**
 * A naming of state_dict keys. {@link #REFERENCE} is the graph's own: the module paths of the implementation each
 * family follows (torchvision for VGG/ResNet, the Caffe prototxt for NiN, the official repository for RepVGG).
 * {@link #TIMM} is timm's, where it differs (VGG's head is a ConvMlp there; RepVGG is a ByobNet of RepVggBlocks with
 * other module names; ResNet keys are identical, so a timm ResNet checkpoint is reported as REFERENCE).
 */
public enum KeyScheme {
    REFERENCE("reference"),
    TIMM("timm");

    private final String label;

    KeyScheme(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The scheme with this label, for the command line's {@code --scheme}. */
    public static KeyScheme of(String label) {
        for (KeyScheme scheme : values()) {
            if (scheme.label.equals(label)) {
                return scheme;
            }
        }
        throw new IllegalArgumentException("unknown key scheme '" + label + "' (known: reference, timm)");
    }
}
