package org.repzoo.zoo.vgg;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One column of Table 1 of Simonyan &amp; Zisserman (2015), as a list of layers; torchvision's {@code cfgs} with
 * the two configurations torchvision lacks (A-LRN and C's 1x1 convolutions) added.
 *
 * @param layers        the feature layers in order
 * @param normalization what follows each convolution before its ReLU
 */
public record VggConfig(List<Layer> layers, Normalization normalization) {

    /**
     * NONE: convolution then ReLU, as in the paper (two {@code features.N} indices). BATCH_NORM: torchvision's
     * {@code _bn} variants (not in the paper, which predates BatchNorm): convolution, BatchNorm, ReLU (three indices).
     */
    public enum Normalization { NONE, BATCH_NORM }

    /** A feature layer: a convolution of some width and kernel, a 2x2 max pool, or the A-LRN normalisation. */
    public record Layer(Kind kind, int channels, int kernel) {
        public enum Kind { CONV, MAX_POOL, LRN }
    }

    static final Layer M = new Layer(Layer.Kind.MAX_POOL, 0, 0);
    static final Layer LRN = new Layer(Layer.Kind.LRN, 0, 0);

    public static final VggConfig A = of("64 M 128 M 256 256 M 512 512 M 512 512 M");
    public static final VggConfig A_LRN = of("64 LRN M 128 M 256 256 M 512 512 M 512 512 M");
    public static final VggConfig B = of("64 64 M 128 128 M 256 256 M 512 512 M 512 512 M");
    public static final VggConfig C = of("64 64 M 128 128 M 256 256 256/1 M 512 512 512/1 M 512 512 512/1 M");
    public static final VggConfig D = of("64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M");
    public static final VggConfig E = of("64 64 M 128 128 M 256 256 256 256 M 512 512 512 512 M 512 512 512 512 M");

    public VggConfig {
        layers = List.copyOf(layers);
        Objects.requireNonNull(normalization, "normalization");
    }

    public VggConfig withBatchNorm() {
        return new VggConfig(layers, Normalization.BATCH_NORM);
    }

    /** Parses the paper's notation: a width is a 3x3 conv, {@code width/1} a 1x1 conv, M a max pool, LRN. */
    static VggConfig of(String table) {
        List<Layer> layers = new ArrayList<>();
        for (String token : table.trim().split("\\s+")) {
            switch (token) {
                case "M" -> layers.add(M);
                case "LRN" -> layers.add(LRN);
                default -> {
                    String[] parts = token.split("/");
                    int kernel = parts.length == 2 ? Integer.parseInt(parts[1]) : 3;
                    layers.add(new Layer(Layer.Kind.CONV, Integer.parseInt(parts[0]), kernel));
                }
            }
        }
        return new VggConfig(layers, Normalization.NONE);
    }
}
