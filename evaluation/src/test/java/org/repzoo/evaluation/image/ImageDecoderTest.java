package org.repzoo.evaluation.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link ImageDecoder} against Pillow 9.4's {@code Image.open(f).convert("RGB")} on files Pillow wrote. */
class ImageDecoderTest {

    /**
     * ImageIO's JPEG decoder (libjpeg 6b) is not Pillow's (libjpeg-turbo), and docs/PROTOCOLS.md P7 allows ±1-2
     * levels between decoders; on these files (4:2:0, 4:2:2, 4:4:4, progressive, grey, CMYK) they agree exactly.
     */
    private static final int JPEG_TOLERANCE = 0;

    @TempDir
    Path dir;

    static Stream<Arguments> pillowFiles() {
        return PreprocessingFixtures.cases("decode").stream().map(entry -> Arguments.of(
                entry.get("file").asText() + " (PIL mode " + entry.get("pilMode").asText() + ")", entry));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("pillowFiles")
    void convertsLikePillow(String name, JsonNode entry) throws IOException {
        RgbImage expected = PreprocessingFixtures.png(entry.get("expected").asText());
        RgbImage actual = ImageDecoder.read(PreprocessingFixtures.path(entry.get("file").asText()));
        assertEquals(expected.width(), actual.width(), name);
        assertEquals(expected.height(), actual.height(), name);
        if (entry.get("file").asText().endsWith(".jpg")) {
            int difference = PreprocessingFixtures.maxDifference(expected, actual);
            assertTrue(difference <= JPEG_TOLERANCE, name + " differs from Pillow by " + difference + " levels");
        } else {
            assertEquals("", PreprocessingFixtures.difference(expected, actual), name);
        }
    }

    @Test
    void pngRoundTrip() throws IOException {
        RgbImage image = PreprocessingFixtures.synth(37, 23);
        BufferedImage buffered = new BufferedImage(image.width(), image.height(), BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                buffered.setRGB(x, y, image.sample(x, y, 0) << 16 | image.sample(x, y, 1) << 8 | image.sample(x, y, 2));
            }
        }
        Path file = dir.resolve("round trip.png");
        assertTrue(ImageIO.write(buffered, "png", file.toFile()));
        assertEquals(image, ImageDecoder.read(file));
    }

    @Test
    void ignoresEmbeddedIccProfileLikePillow() throws IOException {
        // The same JPEG data with a linear-RGB ICC profile in an APP2 segment after JFIF's APP0: ImageIO's default
        // read would convert it to sRGB; Pillow's convert("RGB") ignores profiles.
        byte[] jpeg = Files.readAllBytes(PreprocessingFixtures.path("decode/rgb.jpg"));
        byte[] profile = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();
        byte[] marker = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);
        int length = 2 + marker.length + 2 + profile.length;
        assertTrue(length <= 0xFFFF && (jpeg[2] & 0xFF) == 0xFF && (jpeg[3] & 0xFF) == 0xE0);
        int afterApp0 = 4 + ((jpeg[4] & 0xFF) << 8 | (jpeg[5] & 0xFF));
        ByteArrayOutputStream withProfile = new ByteArrayOutputStream();
        withProfile.write(jpeg, 0, afterApp0);
        withProfile.write(new byte[] {(byte) 0xFF, (byte) 0xE2, (byte) (length >> 8), (byte) length});
        withProfile.write(marker);
        withProfile.write(new byte[] {1, 1});
        withProfile.write(profile);
        withProfile.write(jpeg, afterApp0, jpeg.length - afterApp0);
        Path file = dir.resolve("linear-rgb.jpg");
        Files.write(file, withProfile.toByteArray());
        assertEquals(ImageDecoder.read(PreprocessingFixtures.path("decode/rgb.jpg")), ImageDecoder.read(file));
    }

    @Test
    void refusesTruncatedJpeg() throws IOException {
        byte[] jpeg = Files.readAllBytes(PreprocessingFixtures.path("decode/rgb.jpg"));
        Path file = dir.resolve("truncated.jpg");
        Files.write(file, Arrays.copyOf(jpeg, jpeg.length / 2));
        ImageFileException error = assertThrows(ImageFileException.class, () -> ImageDecoder.read(file));
        assertMentions(error, file, "truncated");
    }

    @Test
    void refusesJpegWithoutEndMarkerLikePillow() throws IOException {
        byte[] jpeg = Files.readAllBytes(PreprocessingFixtures.path("decode/rgb.jpg"));
        Path file = dir.resolve("no-eoi.jpg");
        Files.write(file, Arrays.copyOf(jpeg, jpeg.length - 2));
        assertMentions(assertThrows(ImageFileException.class, () -> ImageDecoder.read(file)), file, "truncated");
    }

    @Test
    void refusesTruncatedPng() throws IOException {
        byte[] png = Files.readAllBytes(PreprocessingFixtures.path("decode/rgb.png"));
        Path file = dir.resolve("truncated.png");
        Files.write(file, Arrays.copyOf(png, png.length / 2));
        assertMentions(assertThrows(ImageFileException.class, () -> ImageDecoder.read(file)), file, "PNG");
    }

    @Test
    void refusesTextFile() throws IOException {
        Path file = dir.resolve("notes.jpg");
        Files.writeString(file, "not an image\n", StandardCharsets.UTF_8);
        assertMentions(assertThrows(ImageFileException.class, () -> ImageDecoder.read(file)), file, "not an image");
    }

    @Test
    void refusesMissingFile() {
        Path file = dir.resolve("absent.png");
        assertMentions(assertThrows(ImageFileException.class, () -> ImageDecoder.read(file)), file, "no such file");
    }

    private static void assertMentions(ImageFileException error, Path file, String reason) {
        assertEquals(file, error.file());
        assertTrue(error.getMessage().startsWith(file.toString()), error.getMessage());
        assertTrue(error.getMessage().contains(reason), error.getMessage());
    }
}
