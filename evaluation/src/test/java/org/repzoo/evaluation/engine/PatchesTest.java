package org.repzoo.evaluation.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.repzoo.evaluation.image.CenterCrop;
import org.repzoo.evaluation.image.HorizontalFlip;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.evaluation.image.ResizeShort;
import org.repzoo.evaluation.image.RgbImage;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;
import org.repzoo.evaluation.protocol.TenCrop;
import org.repzoo.evaluation.protocol.View;
import org.repzoo.evaluation.protocol.WeightedView;
import org.repzoo.zoo.core.EvalPreset;

/** The patches the workers cut, against pixel_examples.json and torchvision's definition of TenCrop's mirrors. */
class PatchesTest {

    /** pixel_examples.py's synthetic image: R = 255x/(W-1), G = 255y/(H-1), B = 25-pixel checkerboard. */
    static RgbImage synth(int width, int height) {
        byte[] pixels = new byte[3 * width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int at = 3 * (y * width + x);
                pixels[at] = (byte) (255 * x / (width - 1));
                pixels[at + 1] = (byte) (255 * y / (height - 1));
                pixels[at + 2] = (byte) (((x / 25 + y / 25) % 2) * 255);
            }
        }
        return new RgbImage(width, height, pixels);
    }

    /**
     * The pixel example of docs/PROTOCOLS.md §4.1, 500x375, resnet50 V1 transform (torchvision 0.14.1, PIL path):
     * the single protocol's view, normalised, at out[:, row, col] (given there to 5 decimals).
     */
    @Test
    void singleViewIsThePixelExample() {
        EvalPreset preset = EvalPreset.TORCHVISION_IMAGENET;
        List<View> views = ProtocolSettings.defaults().protocol(ProtocolName.SINGLE, preset).views(500, 375).stream()
                .map(WeightedView::view).toList();
        float[] out = Preprocessing.toTensor(Patches.cut(synth(500, 375), views, preset.interpolation())[0], preset);
        double[][] samples = {
            {0, 0, -1.38154, -1.7556, 2.3437}, {0, 223, 1.47829, -1.7556, -1.50815},
            {223, 0, -1.38154, 2.13095, 2.3437}, {112, 112, 0.05694, 0.20518, 0.42649},
            {223, 223, 1.47829, 2.13095, -1.50815}};
        int plane = 224 * 224;
        for (double[] s : samples) {
            for (int c = 0; c < 3; c++) {
                assertEquals(s[2 + c], out[c * plane + (int) s[0] * 224 + (int) s[1]], 6e-6, "out[" + c + "," + s[0]
                        + "," + s[1] + "]");
            }
        }
        double[] means = {0.050518, 0.188222, 0.417156};
        for (int c = 0; c < 3; c++) {
            double sum = 0;
            for (int i = 0; i < plane; i++) {
                sum += out[c * plane + i];
            }
            assertEquals(means[c], sum / plane, 1e-6, "channel mean " + c);
        }
    }

    /** torchvision's TenCrop takes the mirrored five from hflip(image): patch i+5 = five_crop(hflip(I'))[i]. */
    @Test
    void tenCropMirrorsAreCropsOfTheMirroredImage() {
        RgbImage image = synth(500, 375);
        List<View> views = new TenCrop(256, 224).views(500, 375).stream().map(WeightedView::view).toList();
        RgbImage[] patches = Patches.cut(image, views, EvalPreset.Interpolation.BILINEAR);
        RgbImage mirrored = new HorizontalFlip().apply(new ResizeShort(256, EvalPreset.Interpolation.BILINEAR)
                .apply(image));
        int right = mirrored.width() - 224;
        int bottom = mirrored.height() - 224;
        RgbImage[] five = {mirrored.crop(0, 0, 224, 224), mirrored.crop(right, 0, 224, 224),
            mirrored.crop(0, bottom, 224, 224), mirrored.crop(right, bottom, 224, 224),
            new CenterCrop(224).apply(mirrored)};
        for (int i = 0; i < 5; i++) {
            assertEquals(five[i], patches[5 + i], "mirrored crop " + i);
        }
    }
}
