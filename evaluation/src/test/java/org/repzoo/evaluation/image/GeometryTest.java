package org.repzoo.evaluation.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.repzoo.zoo.core.EvalPreset.Interpolation;

/** {@link ResizeShort}, {@link CenterCrop} and {@link HorizontalFlip} against torchvision 0.14's geometry. */
class GeometryTest {

    /**
     * docs/PROTOCOLS.md §6.1, rows copied from worked_examples.json ({@code resize_centercrop}, in
     * evaluation/src/test/resources/protocols; checked against torchvision 0.14.1): input, resize, resized size, crop
     * box.
     */
    @ParameterizedTest(name = "{0}x{1} resize {2} crop {5}")
    @CsvSource({
        "500, 375, 256, 341, 256, 224, 58, 16",
        "500, 375, 342, 456, 342, 299, 78, 22",
        "500, 375, 232, 309, 232, 224, 42, 4",
        "375, 500, 256, 256, 341, 224, 16, 58",
        "375, 500, 342, 342, 456, 299, 22, 78",
        "375, 500, 232, 232, 309, 224, 4, 42",
        "500, 333, 256, 384, 256, 224, 80, 16",
        "500, 333, 342, 513, 342, 299, 107, 22",
        "500, 333, 232, 348, 232, 224, 62, 4",
        "200, 150, 256, 341, 256, 224, 58, 16",
        "200, 150, 342, 456, 342, 299, 78, 22",
        "200, 150, 232, 309, 232, 224, 42, 4",
    })
    void workedExamples(int width, int height, int resize, int resizedWidth, int resizedHeight, int crop, int left,
                        int top) {
        assertArrayEquals(new int[] {resizedWidth, resizedHeight},
                new ResizeShort(resize, Interpolation.BILINEAR).outputSize(width, height));
        assertEquals(left, CenterCrop.offset(resizedWidth, crop));
        assertEquals(top, CenterCrop.offset(resizedHeight, crop));
    }

    @Test
    void resizeTruncatesTheLongerSide() {
        // P1: 341.33 -> 341; 640x427 -> 383.6 -> 383 (TF-slim's rint would give 384); square stays square.
        ResizeShort resize = new ResizeShort(256, Interpolation.BILINEAR);
        assertArrayEquals(new int[] {341, 256}, resize.outputSize(500, 375));
        assertArrayEquals(new int[] {383, 256}, resize.outputSize(640, 427));
        assertArrayEquals(new int[] {256, 256}, resize.outputSize(1000, 1000));
        assertArrayEquals(new int[] {256, 2560}, resize.outputSize(10, 100));
    }

    @Test
    void centerOffsetRoundsHalfToEven() {
        // P2: 58.5 -> 58, 21.5 -> 22, 78.5 -> 78 (Math.round would give 59, 22, 79).
        assertEquals(58, CenterCrop.offset(341, 224));
        assertEquals(22, CenterCrop.offset(342, 299));
        assertEquals(78, CenterCrop.offset(456, 299));
        assertEquals(0, CenterCrop.offset(224, 224));
        // A crop larger than the side starts inside torchvision's zero padding: (c - L) / 2 before the image.
        assertEquals(-3, CenterCrop.offset(37, 44));
        assertEquals(-2, CenterCrop.offset(50, 55));
    }

    @Test
    void unchangedSizeIsReturnedUntouched() {
        RgbImage image = PreprocessingFixtures.synth(256, 300);
        assertSame(image, new ResizeShort(256, Interpolation.BILINEAR).apply(image));
    }

    static Stream<Arguments> torchvisionGeometry() {
        return PreprocessingFixtures.cases("geometry").stream().map(entry -> Arguments.of(
                entry.get("op").asText() + " " + entry.path("size").asText(""), entry));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("torchvisionGeometry")
    void equalsTorchvision(String name, JsonNode entry) {
        RgbImage source = PreprocessingFixtures.source(entry.get("source").asText());
        ImageTransform transform = switch (entry.get("op").asText()) {
            case "center_crop" -> new CenterCrop(entry.get("size").asInt());
            case "hflip" -> new HorizontalFlip();
            default -> throw new IllegalStateException("unknown op " + entry.get("op"));
        };
        RgbImage expected = PreprocessingFixtures.png(entry.get("file").asText());
        assertEquals("", PreprocessingFixtures.difference(expected, transform.apply(source)), name);
    }

    @Test
    void flipMirrorsColumns() {
        RgbImage image = new RgbImage(3, 1, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        assertArrayEquals(new byte[] {7, 8, 9, 4, 5, 6, 1, 2, 3}, new HorizontalFlip().apply(image).pixels());
        RgbImage synthetic = PreprocessingFixtures.synth(41, 17);
        assertEquals(synthetic, new HorizontalFlip().then(new HorizontalFlip()).apply(synthetic));
    }

    @Test
    void cropOutsideTheImageIsBlack() {
        RgbImage image = PreprocessingFixtures.synth(10, 8);
        RgbImage crop = image.crop(20, 20, 4, 4);
        assertEquals(RgbImage.black(4, 4), crop);
    }

    @Test
    void rejectsBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> new CenterCrop(0));
        assertThrows(IllegalArgumentException.class, () -> new ResizeShort(-1, Interpolation.BILINEAR));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, new byte[11]));
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(0, 2, new byte[0]));
    }
}
