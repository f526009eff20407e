package org.repzoo.zoo.inception;

import static org.repzoo.zoo.inception.InceptionV4Module.avgPoolSame;
import static org.repzoo.zoo.inception.InceptionV4Module.conv;
import static org.repzoo.zoo.inception.InceptionV4Module.convSame;
import static org.repzoo.zoo.inception.InceptionV4Module.convStride2;
import static org.repzoo.zoo.inception.InceptionV4Module.maxPoolStride2;
import static org.repzoo.zoo.inception.InceptionV4Module.sequential;
import static org.repzoo.zoo.inception.InceptionV4Module.single;
import static org.repzoo.zoo.inception.InceptionV4Module.step;

import java.util.List;
import java.util.Objects;
import org.repzoo.zoo.inception.InceptionV4Module.Step;

/**
 * Inception-ResNet-v2 as a list of top-level parts in timm's order: stem layers ({@code conv2d_1a} ...
 * {@code maxpool_5a}), mixed modules ({@code mixed_5b}, {@code mixed_6a}, {@code mixed_7a}), residual stages
 * ({@code repeat}, {@code repeat_1}, {@code repeat_2}: {@code nn.Sequential}s of blocks), the single last block
 * ({@code block8}) and the final conv unit ({@code conv2d_7b}).
 *
 * @param parts    the network up to the global pooling, in order
 * @param features channels of the last part's output (the classifier's input)
 */
public record InceptionResNetV2Config(List<Part> parts, int features) {

    public InceptionResNetV2Config {
        parts = List.copyOf(parts);
    }

    /** A top-level part of the network. */
    public sealed interface Part permits Layer, Mixed, Repeat, Block {
    }

    /** A conv unit or pooling at the top level, named as timm names the attribute. */
    public record Layer(Step step) implements Part {
    }

    /** A multi-branch module whose outputs are concatenated. */
    public record Mixed(String name, InceptionV4Module module) implements Part {
    }

    /** {@code count} residual blocks in an {@code nn.Sequential} named {@code name} ({@code name.0}, ...). */
    public record Repeat(String name, Residual block, int count) implements Part {
    }

    /** One residual block as a top-level attribute. */
    public record Block(String name, Residual block) implements Part {
    }

    /**
     * What follows a residual block's sum. RELU: a ReLU ({@code relu}), as in every block of Figures 16, 17 and 19.
     * NONE: the sum is the block's output, as in timm's (TF-slim's) last {@code block8} ({@code no_relu=True}),
     * whose output feeds the conv unit {@code conv2d_7b}, which has a ReLU of its own.
     */
    public enum AfterSum { RELU, NONE }

    /**
     * Block35 / Block17 / Block8 (Figures 16, 17, 19): the branches' concatenation goes through a 1x1 convolution with
     * bias and no BatchNorm ({@code conv2d}, back to {@code channels}), is multiplied by {@code scale} and added to the
     * block's input; then {@code afterSum}.
     */
    public record Residual(InceptionV4Module branches, int channels, double scale, AfterSum afterSum) {

        public Residual {
            Objects.requireNonNull(afterSum, "afterSum");
        }

        public Residual withScale(double newScale, AfterSum newAfterSum) {
            return new Residual(branches, channels, newScale, newAfterSum);
        }
    }

    /** The 35x35 grid's first module (TF-slim's Mixed_5b): 35x35x320. */
    public static final InceptionV4Module MIXED_5B = InceptionV4Module.of(
            single("branch0", conv(96, 1)),
            sequential("branch1", conv(48, 1), convSame(64, 5, 5)),
            sequential("branch2", conv(64, 1), convSame(96, 3, 3), convSame(96, 3, 3)),
            sequential("branch3", avgPoolSame(), conv(64, 1)));

    /** Inception-ResNet-A (Figure 16), scale 0.17. */
    public static final Residual BLOCK35 = new Residual(InceptionV4Module.of(
            single("branch0", conv(32, 1)),
            sequential("branch1", conv(32, 1), convSame(32, 3, 3)),
            sequential("branch2", conv(32, 1), convSame(48, 3, 3), convSame(64, 3, 3))), 320, 0.17, AfterSum.RELU);

    /** Reduction-A (Figure 7) with k=256, l=256, m=384, n=384: 17x17x1088. */
    public static final InceptionV4Module MIXED_6A = InceptionV4Module.of(
            single("branch0", convStride2(384, 3)),
            sequential("branch1", conv(256, 1), convSame(256, 3, 3), convStride2(384, 3)),
            single("branch2", maxPoolStride2()));

    /** Inception-ResNet-B (Figure 17), scale 0.10. */
    public static final Residual BLOCK17 = new Residual(InceptionV4Module.of(
            single("branch0", conv(192, 1)),
            sequential("branch1", conv(128, 1), convSame(160, 1, 7), convSame(192, 7, 1))), 1088, 0.10, AfterSum.RELU);

    /** Reduction-B (Figure 18): 8x8x2080. */
    public static final InceptionV4Module MIXED_7A = InceptionV4Module.of(
            sequential("branch0", conv(256, 1), convStride2(384, 3)),
            sequential("branch1", conv(256, 1), convStride2(288, 3)),
            sequential("branch2", conv(256, 1), convSame(288, 3, 3), convStride2(320, 3)),
            single("branch3", maxPoolStride2()));

    /** Inception-ResNet-C (Figure 19), scale 0.20. */
    public static final Residual BLOCK8 = new Residual(InceptionV4Module.of(
            single("branch0", conv(192, 1)),
            sequential("branch1", conv(192, 1), convSame(224, 1, 3), convSame(256, 3, 1))), 2080, 0.20, AfterSum.RELU);

    /** timm's (TF-slim's) Inception-ResNet-v2. */
    public static final InceptionResNetV2Config INCEPTION_RESNET_V2 = new InceptionResNetV2Config(List.of(
            new Layer(step("conv2d_1a", convStride2(32, 3))),
            new Layer(step("conv2d_2a", conv(32, 3))),
            new Layer(step("conv2d_2b", convSame(64, 3, 3))),
            new Layer(step("maxpool_3a", maxPoolStride2())),
            new Layer(step("conv2d_3b", conv(80, 1))),
            new Layer(step("conv2d_4a", conv(192, 3))),
            new Layer(step("maxpool_5a", maxPoolStride2())),
            new Mixed("mixed_5b", MIXED_5B),
            new Repeat("repeat", BLOCK35, 10),
            new Mixed("mixed_6a", MIXED_6A),
            new Repeat("repeat_1", BLOCK17, 20),
            new Mixed("mixed_7a", MIXED_7A),
            new Repeat("repeat_2", BLOCK8, 9),
            new Block("block8", BLOCK8.withScale(1.0, AfterSum.NONE)),
            new Layer(step("conv2d_7b", conv(1536, 1)))),
            1536);
}
