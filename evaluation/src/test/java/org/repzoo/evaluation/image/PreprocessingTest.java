package org.repzoo.evaluation.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.repzoo.zoo.core.EvalPreset;
import org.repzoo.zoo.core.EvalPreset.ChannelOrder;
import org.repzoo.zoo.core.EvalPreset.Interpolation;

/** {@link Preprocessing} against torchvision 0.14's {@code weights.transforms()} on PIL images. */
class PreprocessingTest {

    static Stream<Arguments> torchvisionTransforms() {
        return PreprocessingFixtures.cases("transforms").stream()
                .map(entry -> Arguments.of(entry.get("name").asText(), entry));
    }

    /** Expected to be bit-identical: same resampled bytes, then the same two float32 operations. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("torchvisionTransforms")
    void equalsTorchvisionOutput(String name, JsonNode entry) {
        EvalPreset preset = preset(entry.get("preset"));
        float[] expected = PreprocessingFixtures.floats(entry.get("file").asText());
        float[] actual = Preprocessing.apply(PreprocessingFixtures.source(entry.get("source").asText()), preset);
        assertEquals(3 * preset.cropSize() * preset.cropSize(), expected.length);
        assertEquals(expected.length, actual.length);
        double maxDifference = 0;
        int differing = 0;
        for (int i = 0; i < expected.length; i++) {
            double difference = Math.abs(expected[i] - actual[i]);
            maxDifference = Math.max(maxDifference, difference);
            differing += Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i]) ? 1 : 0;
        }
        assertEquals(0, maxDifference, 1e-6, name);
        assertEquals(0, differing, name + ": values not bit-identical to torchvision's");
    }

    @Test
    void zooPresetsAreTorchvisionsAndCaffes() {
        for (JsonNode entry : PreprocessingFixtures.cases("transforms")) {
            EvalPreset preset = preset(entry.get("preset"));
            switch (entry.get("name").asText()) {
                case "resnet50_v1" -> assertEquals(EvalPreset.TORCHVISION_IMAGENET, preset);
                case "caffe" -> assertEquals(EvalPreset.CAFFE_IMAGENET, preset);
                default -> { }
            }
        }
    }

    /**
     * The pixel examples of docs/PROTOCOLS.md §4.1 (torchvision 0.14.1, resnet50 V1 transform, PIL path) on the
     * synthetic 500x375 and 375x500 images; given there to 6 and 5 decimals.
     */
    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({
        "500, 375, 0.050518, 0.188222, 0.417156",
        "375, 500, 0.057475, 0.18111, 0.417156",
    })
    void pixelExamplesChannelMeans(int width, int height, double red, double green, double blue) {
        float[] out = Preprocessing.apply(PreprocessingFixtures.synth(width, height), EvalPreset.TORCHVISION_IMAGENET);
        double[] expected = {red, green, blue};
        int plane = 224 * 224;
        for (int channel = 0; channel < 3; channel++) {
            double sum = 0;
            for (int i = 0; i < plane; i++) {
                sum += out[channel * plane + i];
            }
            assertEquals(expected[channel], sum / plane, 1e-6, "channel " + channel);
        }
    }

    @ParameterizedTest(name = "{0}x{1} at ({2},{3})")
    @CsvSource({
        "500, 375, 0, 0, -1.38154, -1.7556, 2.3437",
        "500, 375, 0, 223, 1.47829, -1.7556, -1.50815",
        "500, 375, 223, 0, -1.38154, 2.13095, 2.3437",
        "500, 375, 112, 112, 0.05694, 0.20518, 0.42649",
        "500, 375, 223, 223, 1.47829, 2.13095, -1.50815",
        "375, 500, 0, 0, -1.84391, -1.28291, 2.3437",
        "375, 500, 0, 223, 1.95779, -1.28291, 2.3437",
        "375, 500, 223, 0, -1.84391, 1.64076, -1.50815",
        "375, 500, 112, 112, 0.07406, 0.18768, 0.42649",
        "375, 500, 223, 223, 1.95779, 1.64076, -1.50815",
    })
    void pixelExamplesSamples(int width, int height, int row, int column, double red, double green, double blue) {
        float[] out = Preprocessing.apply(PreprocessingFixtures.synth(width, height), EvalPreset.TORCHVISION_IMAGENET);
        double[] expected = {red, green, blue};
        for (int channel = 0; channel < 3; channel++) {
            assertEquals(expected[channel], out[(channel * 224 + row) * 224 + column], 5e-6, "channel " + channel);
        }
    }

    @ParameterizedTest(name = "{0}x{1} at ({2},{3})")
    @CsvSource({
        "500, 375, 0, 0, 0, 0, 0",
        "500, 375, 100, 100, 75, 100, 0",
        "500, 375, 255, 340, 255, 255, 255",
        "375, 500, 0, 0, 0, 0, 0",
        "375, 500, 100, 100, 100, 75, 0",
        "375, 500, 255, 255, 255, 191, 68",
    })
    void pixelExamplesResized256(int width, int height, int row, int column, int red, int green, int blue) {
        RgbImage resized = new ResizeShort(256, Interpolation.BILINEAR).apply(PreprocessingFixtures.synth(width, height));
        assertArrayEquals(new int[] {red, green, blue}, new int[] {resized.sample(column, row, 0),
                resized.sample(column, row, 1), resized.sample(column, row, 2)});
    }

    @ParameterizedTest(name = "{0}x{1}")
    @CsvSource({
        "500, 375, 134.061, -100.779, -80.68",
        "375, 500, 134.061, -73.779, -107.68",
    })
    void pixelExamplesCaffe(int width, int height, double blue, double green, double red) {
        float[] out = Preprocessing.apply(PreprocessingFixtures.synth(width, height), EvalPreset.CAFFE_IMAGENET);
        int plane = 224 * 224;
        assertEquals(blue, out[0], 5e-4);
        assertEquals(green, out[plane], 5e-4);
        assertEquals(red, out[2 * plane], 5e-4);
    }

    @Test
    void toTensorIsChannelMajorInPresetOrder() {
        RgbImage image = new RgbImage(2, 1, new byte[] {10, 20, 30, (byte) 255, 0, 51});
        EvalPreset rgb = new EvalPreset(2, 1, Interpolation.BILINEAR, List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0),
                ChannelOrder.RGB, 1);
        assertArrayEquals(new float[] {10 / 255f, 1f, 20 / 255f, 0f, 30 / 255f, 51 / 255f},
                Preprocessing.toTensor(image, rgb));
        EvalPreset bgr = new EvalPreset(2, 1, Interpolation.BILINEAR, List.of(1.0, 2.0, 3.0), List.of(1.0, 1.0, 2.0),
                ChannelOrder.BGR, 255);
        assertArrayEquals(new float[] {29f, 50f, 18f, -2f, 3.5f, 126f}, Preprocessing.toTensor(image, bgr));
    }

    /** One-channel presets take PIL's {@code convert("L")}: [18, 82, 119] for these pixels (Pillow 9, Debian). */
    @Test
    void greyPresetsTakePilsLuma() {
        RgbImage image = new RgbImage(3, 1, new byte[] {10, 20, 30, (byte) 255, 0, 51, (byte) 200, 100, 7});
        EvalPreset grey = new EvalPreset(3, 1, Interpolation.BILINEAR, List.of(0.5), List.of(0.25), ChannelOrder.RGB, 1);
        assertEquals(1, grey.channels());
        assertArrayEquals(new float[] {(18 / 255f - 0.5f) / 0.25f, (82 / 255f - 0.5f) / 0.25f,
                (119 / 255f - 0.5f) / 0.25f}, Preprocessing.toTensor(image, grey));
        assertThrows(IllegalArgumentException.class, () -> new EvalPreset(3, 1, Interpolation.BILINEAR,
                List.of(0.5, 0.5), List.of(0.25, 0.25), ChannelOrder.RGB, 1));
    }

    @Test
    void rejectsUnknownScale() {
        EvalPreset odd = new EvalPreset(2, 1, Interpolation.BILINEAR, List.of(0.0, 0.0, 0.0), List.of(1.0, 1.0, 1.0),
                ChannelOrder.RGB, 2);
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.toTensor(RgbImage.black(1, 1), odd));
    }

    private static EvalPreset preset(JsonNode json) {
        return new EvalPreset(json.get("resizeSize").asInt(), json.get("cropSize").asInt(),
                Interpolation.valueOf(json.get("interpolation").asText()), doubles(json.get("mean")),
                doubles(json.get("std")), ChannelOrder.valueOf(json.get("channelOrder").asText()),
                json.get("scale").asDouble());
    }

    private static List<Double> doubles(JsonNode array) {
        List<Double> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asDouble()));
        return values;
    }
}
