package org.repzoo.zoo.inception;

import static org.repzoo.zoo.inception.InceptionV4Module.avgPoolSame;
import static org.repzoo.zoo.inception.InceptionV4Module.chain;
import static org.repzoo.zoo.inception.InceptionV4Module.conv;
import static org.repzoo.zoo.inception.InceptionV4Module.convSame;
import static org.repzoo.zoo.inception.InceptionV4Module.convStride2;
import static org.repzoo.zoo.inception.InceptionV4Module.maxPoolStride2;
import static org.repzoo.zoo.inception.InceptionV4Module.sequential;
import static org.repzoo.zoo.inception.InceptionV4Module.single;
import static org.repzoo.zoo.inception.InceptionV4Module.step;

import java.util.List;
import org.repzoo.zoo.inception.InceptionV4Module.ConvUnit;

/**
 * Inception-v4's {@code features}: the stem's three conv units ({@code features.0-2}), then modules, each repeated,
 * numbered on ({@code features.3} ... {@code features.21}). The module tables are the paper's Figures 3-8 as timm
 * builds them (channel counts, kernels, branch order).
 *
 * @param stem     conv units {@code features.0}, {@code features.1}, ...
 * @param stages   modules and how many times each follows
 * @param features channels of the last module's output (the classifier's input)
 */
public record InceptionV4Config(List<ConvUnit> stem, List<Stage> stages, int features) {

    /** One module repeated {@code repeats} times. */
    public record Stage(InceptionV4Module module, int repeats) {
        public Stage {
            if (repeats < 1) {
                throw new IllegalArgumentException("repeats must be positive, got " + repeats);
            }
        }
    }

    public InceptionV4Config {
        stem = List.copyOf(stem);
        stages = List.copyOf(stages);
    }

    /** Stem, Figure 3: 73x73x160. */
    public static final InceptionV4Module MIXED_3A = InceptionV4Module.of(
            single("maxpool", maxPoolStride2()),
            single("conv", convStride2(96, 3)));

    /** Stem, Figure 3: 71x71x192. */
    public static final InceptionV4Module MIXED_4A = InceptionV4Module.of(
            sequential("branch0", conv(64, 1), conv(96, 3)),
            sequential("branch1", conv(64, 1), convSame(64, 1, 7), convSame(64, 7, 1), conv(96, 3)));

    /** Stem, Figure 3: 35x35x384. */
    public static final InceptionV4Module MIXED_5A = InceptionV4Module.of(
            single("conv", convStride2(192, 3)),
            single("maxpool", maxPoolStride2()));

    /** Inception-A, Figure 4. */
    public static final InceptionV4Module INCEPTION_A = InceptionV4Module.of(
            single("branch0", conv(96, 1)),
            sequential("branch1", conv(64, 1), convSame(96, 3, 3)),
            sequential("branch2", conv(64, 1), convSame(96, 3, 3), convSame(96, 3, 3)),
            sequential("branch3", avgPoolSame(), conv(96, 1)));

    /** Reduction-A, Figure 7, with k=192, l=224, m=256, n=384 (Table 1). */
    public static final InceptionV4Module REDUCTION_A = InceptionV4Module.of(
            single("branch0", convStride2(384, 3)),
            sequential("branch1", conv(192, 1), convSame(224, 3, 3), convStride2(256, 3)),
            single("branch2", maxPoolStride2()));

    /** Inception-B, Figure 5. */
    public static final InceptionV4Module INCEPTION_B = InceptionV4Module.of(
            single("branch0", conv(384, 1)),
            sequential("branch1", conv(192, 1), convSame(224, 1, 7), convSame(256, 7, 1)),
            sequential("branch2", conv(192, 1), convSame(192, 7, 1), convSame(224, 1, 7), convSame(224, 7, 1),
                    convSame(256, 1, 7)),
            sequential("branch3", avgPoolSame(), conv(128, 1)));

    /** Reduction-B, Figure 8. */
    public static final InceptionV4Module REDUCTION_B = InceptionV4Module.of(
            sequential("branch0", conv(192, 1), convStride2(192, 3)),
            sequential("branch1", conv(256, 1), convSame(256, 1, 7), convSame(320, 7, 1), convStride2(320, 3)),
            single("branch2", maxPoolStride2()));

    /** Inception-C, Figure 6: two branches fork into a 1x3 and a 3x1 conv. */
    public static final InceptionV4Module INCEPTION_C = InceptionV4Module.of(
            single("branch0", conv(256, 1)),
            single("branch1_0", conv(384, 1)).fork(
                    single("branch1_1a", convSame(256, 1, 3)),
                    single("branch1_1b", convSame(256, 3, 1))),
            chain(step("branch2_0", conv(384, 1)), step("branch2_1", convSame(448, 3, 1)),
                    step("branch2_2", convSame(512, 1, 3))).fork(
                    single("branch2_3a", convSame(256, 1, 3)),
                    single("branch2_3b", convSame(256, 3, 1))),
            sequential("branch3", avgPoolSame(), conv(256, 1)));

    /** Figure 9: stem, 4 x Inception-A, Reduction-A, 7 x Inception-B, Reduction-B, 3 x Inception-C. */
    public static final InceptionV4Config INCEPTION_V4 = new InceptionV4Config(
            List.of(convStride2(32, 3), conv(32, 3), convSame(64, 3, 3)),
            List.of(new Stage(MIXED_3A, 1), new Stage(MIXED_4A, 1), new Stage(MIXED_5A, 1), new Stage(INCEPTION_A, 4),
                    new Stage(REDUCTION_A, 1), new Stage(INCEPTION_B, 7), new Stage(REDUCTION_B, 1),
                    new Stage(INCEPTION_C, 3)),
            1536);
}
