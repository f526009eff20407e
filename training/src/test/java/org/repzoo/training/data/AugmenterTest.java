package org.repzoo.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.repzoo.evaluation.image.Preprocessing;
import org.repzoo.evaluation.image.RgbImage;
import org.repzoo.training.recipe.Augmentation;
import org.repzoo.zoo.core.EvalPreset;

class AugmenterTest {

    private static final EvalPreset GREY_8 = new EvalPreset(8, 8, EvalPreset.Interpolation.BILINEAR, List.of(0.5),
            List.of(0.25), EvalPreset.ChannelOrder.RGB, 1);
    private static final EvalPreset RGB_8 = new EvalPreset(8, 8, EvalPreset.Interpolation.BILINEAR,
            List.of(0.5, 0.4, 0.3), List.of(0.2, 0.25, 0.3), EvalPreset.ChannelOrder.RGB, 1);

    /** A grey 8x8 image whose pixel (x, y) is 10 y + x. */
    private static RgbImage ramp() {
        byte[] rgb = new byte[3 * 64];
        for (int i = 0; i < 64; i++) {
            int v = 10 * (i / 8) + i % 8;
            rgb[3 * i] = (byte) v;
            rgb[3 * i + 1] = (byte) v;
            rgb[3 * i + 2] = (byte) v;
        }
        return new RgbImage(8, 8, rgb);
    }

    @Test
    void withoutPaddingOrFlipTheExampleIsTheEvaluationView() {
        Augmenter augmenter = new Augmenter(Augmentation.padCrop(8, 0, Augmentation.Flip.NONE), GREY_8);
        float[] example = augmenter.apply(ramp(), new SplittableRandom(1));
        assertArrayEquals(Preprocessing.apply(ramp(), GREY_8), example);
        // hand-computed: pixel (3, 2) = 23 -> (23 / 255 - 0.5) / 0.25
        assertEquals((23 / 255f - 0.5f) / 0.25f, example[2 * 8 + 3], 1e-6);
    }

    @Test
    void paddedCropShiftsTheImageAndFillsBlack() {
        RgbImage shifted = Augmenter.window(ramp(), 2, -1, 8); // corner (2, -1): row 0 is padding
        for (int x = 0; x < 8; x++) {
            assertEquals(0, shifted.sample(x, 0, 0));
        }
        assertEquals(10 * 0 + 2, shifted.sample(0, 1, 0));
        assertEquals(10 * 3 + 7, shifted.sample(5, 4, 1));
        assertEquals(0, shifted.sample(6, 4, 2)); // x + 2 = 8: right padding
    }

    @Test
    void anExampleDependsOnlyOnItsGenerator() {
        Augmenter augmenter = new Augmenter(Augmentation.padCrop(8, 2, Augmentation.Flip.HORIZONTAL), GREY_8);
        assertArrayEquals(augmenter.apply(ramp(), new SplittableRandom(7)), augmenter.apply(ramp(), new SplittableRandom(7)));
        boolean differs = false;
        for (int seed = 0; seed < 10 && !differs; seed++) {
            differs = !java.util.Arrays.equals(augmenter.apply(ramp(), new SplittableRandom(seed)),
                    augmenter.apply(ramp(), new SplittableRandom(seed + 100)));
        }
        assertTrue(differs, "different generators must give different crops");
    }

    @Test
    void pcaLightingShiftsEachChannelByAConstant() {
        Augmentation lighting = Augmentation.padCrop(8, 0, Augmentation.Flip.NONE)
                .withColour(Augmentation.Colour.PCA_LIGHTING);
        float[] plain = Preprocessing.apply(ramp(), RGB_8);
        float[] lit = new Augmenter(lighting, RGB_8).apply(ramp(), new SplittableRandom(3));
        for (int c = 0; c < 3; c++) {
            float shift = lit[c * 64] - plain[c * 64];
            for (int i = 0; i < 64; i++) {
                assertEquals(shift, lit[c * 64 + i] - plain[c * 64 + i], 1e-5, "channel " + c);
            }
            // AlexNet's noise: std 0.1 x eigenvalue (largest 0.2175) on [0, 1] values, over std >= 0.2
            assertTrue(Math.abs(shift) < 0.5, "shift " + shift);
        }
        assertFalse(lit[0] == plain[0], "the lighting noise must change the image");
    }

    @Test
    void randomResizedCropStaysInsideTheImage() {
        Augmenter augmenter = new Augmenter(Augmentation.randomResized(8, 0.08, Augmentation.Colour.NONE), GREY_8);
        for (int seed = 0; seed < 50; seed++) {
            float[] example = augmenter.apply(ramp(), new SplittableRandom(seed));
            assertEquals(64, example.length);
            for (float v : example) {
                // the ramp's values are 0..77: any resampling stays in that range
                assertTrue(v >= (0 / 255f - 0.5f) / 0.25f - 1e-5 && v <= (77 / 255f - 0.5f) / 0.25f + 1e-5);
            }
        }
    }

    @Test
    void aCropOtherThanTheModelsIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Augmenter(Augmentation.padCrop(32, 4, Augmentation.Flip.NONE), GREY_8));
        assertTrue(e.getMessage().contains("cropSize"), e.getMessage());
    }
}
