package org.repzoo.zoo.inception;

import java.util.List;
import java.util.Objects;

/**
 * GoogLeNet as data: how a convolution unit is built, the body as Table 1 of the paper lists it (inception modules,
 * max pools, and where the auxiliary classifiers branch off), and the heads.
 *
 * @param normalization how the activations are normalised: BatchNorm in every unit, or the paper's LRN in the stem
 * @param branch3Kernel kernel of each module's third branch: 5 in the paper, 3 in torchvision
 * @param body          the layers after {@code maxpool2}, in order
 * @param auxPool       how an auxiliary classifier pools its input
 * @param dropout       drop probability before the classifier (torchvision 0.2, paper 0.4)
 * @param init          the weight initialisation of the reference
 */
public record GoogLeNetConfig(Normalization normalization, int branch3Kernel, List<Step> body, AuxPool auxPool,
                              double dropout, Init init) {

    /** One entry of the body. */
    public sealed interface Step permits Module, MaxPool, Aux {
    }

    /**
     * An inception module, one row of Table 1: the 1x1 branch, the 3x3 branch (1x1 reduction, then 3x3), the "5x5"
     * branch (1x1 reduction, then {@code branch3Kernel}) and the pool branch (3x3/1 max pool, then 1x1 projection).
     */
    public record Module(String name, int ch1x1, int ch3x3Reduce, int ch3x3, int ch5x5Reduce, int ch5x5, int poolProj)
            implements Step {
    }

    /** A stride-2 max pool with ceil rounding (Caffe's, kept by torchvision). */
    public record MaxPool(String name, int kernel) implements Step {
    }

    /** An auxiliary classifier on the current feature map. */
    public record Aux(String name) implements Step {
    }

    /**
     * One choice, since BatchNorm replaced LRN: Ioffe &amp; Szegedy (2015, Section 4.2.1) removed LRN from Inception
     * when they added BatchNorm, and torchvision's GoogLeNet (Google's TensorFlow weights, ported) has BatchNorm and
     * no LRN either. BATCH_NORM: every convolution unit is torchvision's {@code BasicConv2d} (convolution without
     * bias, BatchNorm eps 0.001, ReLU), and there is no LRN. LOCAL_RESPONSE: the paper's (Caffe's) units, convolution
     * with bias and ReLU, and an LRN after {@code maxpool1} ({@code norm1}) and after {@code conv3} ({@code norm2}).
     */
    public enum Normalization { BATCH_NORM, LOCAL_RESPONSE }

    /** torchvision pools to 4x4 adaptively (any input size); the paper averages 5x5 windows with stride 3. */
    public enum AuxPool { ADAPTIVE_4X4, AVERAGE_5_STRIDE_3 }

    /**
     * TORCHVISION: {@code trunc_normal_(std=0.01)} weights, BatchNorm 1/0, {@code nn.Linear}'s default biases.
     * CAFFE: the prototxt's {@code xavier} fillers (uniform, variance 1/fan_in), biases 0.2 except the classifiers' 0.
     */
    public enum Init { TORCHVISION, CAFFE }

    /** Each auxiliary classifier: a 1x1 convolution to 128 channels, FC 1024 with ReLU, dropout 0.7, FC classes. */
    static final int AUX_CHANNELS = 128;
    static final int AUX_POOLED = 4;
    static final int AUX_HIDDEN = 1024;
    static final double AUX_DROPOUT = 0.7;
    /**
     * The paper's "loss was added to the total loss with a discount weight (0.3)"; Caffe's {@code loss_weight: 0.3}.
     */
    static final double AUX_LOSS_WEIGHT = 0.3;

    /** torchvision 0.14's {@code GoogLeNet}: BasicConv2d, 3x3 in branch 3 (vision#906), a 2x2 maxpool4, no LRN. */
    public static final GoogLeNetConfig TORCHVISION = new GoogLeNetConfig(
            Normalization.BATCH_NORM, 3, body(2), AuxPool.ADAPTIVE_4X4, 0.2, Init.TORCHVISION);

    /** Szegedy et al. 2015, Table 1 and Section 5, as Caffe's {@code bvlc_googlenet} train_val.prototxt lays it out. */
    public static final GoogLeNetConfig PAPER = new GoogLeNetConfig(
            Normalization.LOCAL_RESPONSE, 5, body(3), AuxPool.AVERAGE_5_STRIDE_3, 0.4, Init.CAFFE);

    public GoogLeNetConfig {
        Objects.requireNonNull(normalization, "normalization");
        body = List.copyOf(body);
        if (branch3Kernel % 2 == 0 || dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("invalid GoogLeNet config: branch 3 kernel " + branch3Kernel
                    + ", dropout " + dropout);
        }
    }

    /** Table 1 from inception (3a) on; the pool before (5a) is 3x3 in the paper and 2x2 in torchvision. */
    private static List<Step> body(int maxpool4Kernel) {
        return List.of(
                new Module("inception3a", 64, 96, 128, 16, 32, 32),
                new Module("inception3b", 128, 128, 192, 32, 96, 64),
                new MaxPool("maxpool3", 3),
                new Module("inception4a", 192, 96, 208, 16, 48, 64),
                new Aux("aux1"),
                new Module("inception4b", 160, 112, 224, 24, 64, 64),
                new Module("inception4c", 128, 128, 256, 24, 64, 64),
                new Module("inception4d", 112, 144, 288, 32, 64, 64),
                new Aux("aux2"),
                new Module("inception4e", 256, 160, 320, 32, 128, 128),
                new MaxPool("maxpool4", maxpool4Kernel),
                new Module("inception5a", 256, 160, 320, 32, 128, 128),
                new Module("inception5b", 384, 192, 384, 48, 128, 128));
    }
}
