package org.repzoo.zoo.inception;

import java.util.List;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Reference;

/**
 * The registered GoogLeNets and Inception v3. Each graph has its auxiliary classifiers, as torchvision builds these
 * models without weights ({@code aux_logits=True}) and as its weight files store them, so the reference counts include
 * them: googlenet 13,004,888 (6,624,904 without, torchvision's {@code num_params}), inception_v3 27,161,264 (23,834,568
 * without).
 */
public final class InceptionModels {

    /**
     * Summed by hand from the paper's Table 1 widths with 5x5 third branches and biases: conv1 9,472; conv2 4,160;
     * conv3 110,784; inception 3a 163,696, 3b 388,736, 4a 376,176, 4b 449,160, 4c 510,104, 4d 605,376, 4e 868,352,
     * 5a 1,043,456, 5b 1,444,080; fc 1,025,000 (6,998,552, Caffe's {@code bvlc_googlenet} deploy net); auxiliary
     * classifiers after 4a 3,188,840 and after 4d 3,190,888 (128x1x1 convolution, FC 2048 to 1024, FC 1024 to 1000).
     */
    static final long PAPER_PARAMETERS = 13_378_280L;

    private InceptionModels() {
    }

    public static List<ModelEntry> entries() {
        return List.of(
                new ModelEntry("googlenet", Family.GOOGLENET, new GoogLeNet(GoogLeNetConfig.TORCHVISION),
                        new Reference(13_004_888L, 1, "torchvision 0.14, aux_logits=True (6,624,904 without)", 69.778,
                                "torchvision IMAGENET1K_V1, 224 crop, transform_input"),
                        InputShape.of(3, 224, 224), EvalPreset.TORCHVISION_IMAGENET,
                        "GoogLeNet (Inception v1) as torchvision builds it: BatchNorm, 3x3 third branches"),
                new ModelEntry("googlenet_paper", Family.GOOGLENET, new GoogLeNet(GoogLeNetConfig.PAPER),
                        new Reference(PAPER_PARAMETERS, 1,
                                "Szegedy et al. 2015, Table 1 and Section 5 (= Caffe bvlc_googlenet), summed by hand",
                                68.7, "BVLC Caffe bvlc_googlenet, single centre crop"),
                        InputShape.of(3, 224, 224), EvalPreset.CAFFE_IMAGENET,
                        "GoogLeNet as in the paper: LRN, 5x5 third branches, no BatchNorm"),
                new ModelEntry("inception_v3", Family.INCEPTION, new InceptionV3(InceptionV3Config.TORCHVISION),
                        new Reference(27_161_264L, 1, "torchvision 0.14, aux_logits=True (23,834,568 without)", 77.294,
                                "torchvision IMAGENET1K_V1, 299 crop, transform_input"),
                        InputShape.of(3, 299, 299), EvalPreset.torchvision(342, 299),
                        "Inception v3 as torchvision builds it"));
    }
}
