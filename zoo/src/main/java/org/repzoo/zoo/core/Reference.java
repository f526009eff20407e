package org.repzoo.zoo.core;

/**
 * The published facts a registered model is checked against.
 *
 * @param parameters  parameter count of the reference at 1000 classes
 * @param precision   1 where the count is exact (an implementation's), 1,000,000 where a paper gives millions
 * @param source      where the count comes from (implementation and version, or paper and table)
 * @param top1        published ImageNet top-1 accuracy in percent, or {@code null} where none is published
 * @param top1Source  where the top-1 figure comes from
 */
public record Reference(long parameters, long precision, String source, Double top1, String top1Source) {

    public static Reference torchvision(long parameters, double top1) {
        return new Reference(parameters, 1, "torchvision 0.14", top1, "torchvision IMAGENET1K_V1, 224 crop");
    }

    /** A count that a paper gives in millions. */
    public static Reference paperMillions(long millions, String source, Double top1, String top1Source) {
        return new Reference(millions * 1_000_000L, 1_000_000L, source, top1, top1Source);
    }

    /** Whether a computed parameter count agrees with this reference at its precision. */
    public boolean matches(long computed) {
        return Math.round((double) computed / precision) * precision == parameters;
    }
}
