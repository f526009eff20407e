package org.repzoo.evaluation.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.repzoo.evaluation.image.Resampler.Coefficients;
import org.repzoo.evaluation.image.Resampler.Filter;
import org.repzoo.zoo.core.EvalPreset.Interpolation;

/** {@link Resampler} against {@code PIL.Image.resize} (Pillow 9.4): every byte of every fixture. */
class ResamplerTest {

    static Stream<Arguments> pilResizes() {
        return PreprocessingFixtures.cases("resample").stream().map(entry -> Arguments.of(
                entry.get("source").asText() + " -> " + entry.get("width").asInt() + "x"
                        + entry.get("height").asInt() + " " + entry.get("filter").asText(), entry));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pilResizes")
    void equalsPillowByteForByte(String name, JsonNode entry) {
        RgbImage source = PreprocessingFixtures.source(entry.get("source").asText());
        RgbImage expected = PreprocessingFixtures.png(entry.get("file").asText());
        RgbImage actual = Resampler.resize(source, entry.get("width").asInt(), entry.get("height").asInt(),
                Interpolation.valueOf(entry.get("filter").asText()));
        assertEquals("", PreprocessingFixtures.difference(expected, actual), name);
    }

    @Test
    void coversDownscaleUpscaleAndSingleAxisCases() {
        Map<String, Boolean> seen = new HashMap<>();
        for (JsonNode entry : PreprocessingFixtures.cases("resample")) {
            JsonNode source = PreprocessingFixtures.index().get("sources").get(entry.get("source").asText());
            int dx = Integer.compare(entry.get("width").asInt(), source.get("width").asInt());
            int dy = Integer.compare(entry.get("height").asInt(), source.get("height").asInt());
            seen.put(entry.get("filter").asText() + dx + dy, true);
        }
        for (String filter : new String[] {"BILINEAR", "BICUBIC"}) {
            for (String shape : new String[] {"-1-1", "11", "0-1", "-10", "01", "10", "1-1", "-11", "00"}) {
                assertTrue(seen.containsKey(filter + shape), filter + " fixture with width/height change " + shape);
            }
        }
    }

    @Test
    void regeneratedSourcesAreThePythonOnes() {
        PreprocessingFixtures.index().get("sources").fields().forEachRemaining(source -> assertEquals(
                source.getValue().get("sha256").asText(),
                PreprocessingFixtures.sha256(PreprocessingFixtures.source(source.getKey()).pixels()),
                source.getKey()));
    }

    @Test
    void handComputedBilinearWeights() {
        // 2 -> 1: scale 2, support 2, centre 1.0; inputs 0 and 1 both at distance 0.5 / 2 -> 1/2 each.
        Coefficients halving = Coefficients.of(2, 1, Filter.BILINEAR);
        assertEquals(5, halving.kernelSize());
        assertEquals(0, halving.start(0));
        assertEquals(2, halving.count(0));
        assertArrayEquals(new int[] {1 << 21, 1 << 21, 0, 0, 0}, Arrays.copyOfRange(halving.weights(), 0, 5));
        // 4 -> 2, output 1: centre 3.0, inputs 1..3 at distances 1.5, 0.5, 0.5 (/2) -> 1/4, 3/4, 3/4 -> 1/7, 3/7, 3/7;
        // 2^22/7 = 599186.29 and 3 * 2^22/7 = 1797558.86 round to nearest.
        Coefficients quarter = Coefficients.of(4, 2, Filter.BILINEAR);
        assertEquals(1, quarter.start(1));
        assertEquals(3, quarter.count(1));
        assertArrayEquals(new int[] {599186, 1797559, 1797559}, Arrays.copyOfRange(quarter.weights(), 5, 8));
    }

    @Test
    void negativeBicubicLobesRoundAwayFromZero() {
        assertEquals(-2, Coefficients.toFixedPoint(-1.5 / (1 << Resampler.PRECISION_BITS)));
        assertEquals(2, Coefficients.toFixedPoint(1.5 / (1 << Resampler.PRECISION_BITS)));
        assertEquals(1 << Resampler.PRECISION_BITS, Coefficients.toFixedPoint(1.0));
    }

    @Test
    void unchangedSizeIsACopy() {
        RgbImage image = PreprocessingFixtures.synth(30, 20);
        RgbImage same = Resampler.resize(image, 30, 20, Interpolation.BICUBIC);
        assertEquals(image, same);
        assertNotSame(image.pixels(), same.pixels());
    }

    @Test
    void constantImageStaysConstantThroughBicubicOvershoot() {
        RgbImage white = new RgbImage(7, 5, new byte[7 * 5 * 3]);
        Arrays.fill(white.pixels(), (byte) 255);
        RgbImage resized = Resampler.resize(white, 19, 3, Interpolation.BICUBIC);
        for (byte value : resized.pixels()) {
            assertEquals(255, value & 0xFF);
        }
    }

    @Test
    void rejectsEmptyTarget() {
        RgbImage image = PreprocessingFixtures.synth(30, 20);
        assertThrows(IllegalArgumentException.class, () -> Resampler.resize(image, 0, 20, Interpolation.BILINEAR));
    }
}
