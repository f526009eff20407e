package org.repzoo.zoo.nin;

import java.util.List;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.Family;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.Reference;

/** The registered Network-in-Network model. */
public final class NinModels {

    /**
     * Summed by hand from the NIN-ImageNet prototxt: conv1 34,944; cccp1, cccp2 9,312 each; conv2 614,656; cccp3,
     * cccp4 65,792 each; conv3 885,120; cccp5, cccp6 147,840 each; conv4-1024 3,539,968; cccp7-1024 1,049,600;
     * cccp8-1024 1,025,000.
     */
    static final long PROTOTXT_PARAMETERS = 7_595_176L;

    private NinModels() {
    }

    public static List<ModelEntry> entries() {
        Reference reference = new Reference(PROTOTXT_PARAMETERS, 1,
                "Caffe model zoo NIN-ImageNet prototxt (Lin et al. 2014), summed by hand", null, null);
        return List.of(new ModelEntry("nin", Family.NIN, new Nin(NinConfig.IMAGENET), reference,
                InputShape.of(3, 224, 224), EvalPreset.CAFFE_IMAGENET, "Network-in-Network, ImageNet model"));
    }
}
