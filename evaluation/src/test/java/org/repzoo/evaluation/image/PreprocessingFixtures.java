package org.repzoo.evaluation.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;

/**
 * The Pillow/torchvision fixtures in {@code src/test/resources/preprocessing}, made by
 * {@code tools/reference/pil_resample_fixtures.py} (Pillow 9.4, torchvision 0.14.1). Expected images are read with
 * plain ImageIO rasters, not with {@link ImageDecoder}, so the resampler tests do not depend on the decoder.
 */
final class PreprocessingFixtures {

    static final String ROOT = "/preprocessing/";
    private static final String MADE_BY = "/usr/bin/python3 tools/reference/pil_resample_fixtures.py "
            + "evaluation/src/test/resources/preprocessing";
    private static final JsonNode INDEX = readIndex();

    private PreprocessingFixtures() {
    }

    static JsonNode index() {
        return INDEX;
    }

    static List<JsonNode> cases(String section) {
        List<JsonNode> cases = new ArrayList<>();
        INDEX.get(section).forEach(cases::add);
        return cases;
    }

    /**
     * The synthetic test image of docs/PROTOCOLS.md §4.1: {@code R = floor(255x/(W-1))},
     * {@code G = floor(255y/(H-1))}, {@code B = 255} on the odd squares of a 25-pixel checkerboard.
     */
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

    /** A named source image: synthetic ones are regenerated, the others read from their PNG. */
    static RgbImage source(String name) {
        JsonNode entry = INDEX.get("sources").get(name);
        if (entry == null) {
            throw new IllegalStateException("no source " + name + " in fixtures.json: run " + MADE_BY);
        }
        if (entry.path("synthetic").asBoolean()) {
            return synth(entry.get("width").asInt(), entry.get("height").asInt());
        }
        return png(entry.get("file").asText());
    }

    /** An 8-bit RGB PNG fixture, samples taken from the raster as stored. */
    static RgbImage png(String file) {
        try (InputStream in = open(file)) {
            BufferedImage image = ImageIO.read(in);
            if (image == null || !(image.getColorModel() instanceof ComponentColorModel)
                    || image.getRaster().getNumBands() != 3 || image.getColorModel().getComponentSize(0) != 8) {
                throw new IllegalStateException(file + " is not an 8-bit RGB PNG");
            }
            Raster raster = image.getRaster();
            int[] samples = raster.getPixels(0, 0, image.getWidth(), image.getHeight(), (int[]) null);
            byte[] pixels = new byte[samples.length];
            for (int i = 0; i < samples.length; i++) {
                pixels[i] = (byte) samples[i];
            }
            return new RgbImage(image.getWidth(), image.getHeight(), pixels);
        } catch (IOException e) {
            throw new IllegalStateException(file + " unreadable", e);
        }
    }

    /** A gzipped little-endian float32 array. */
    static float[] floats(String file) {
        try (InputStream in = new GZIPInputStream(open(file))) {
            ByteBuffer bytes = ByteBuffer.wrap(in.readAllBytes()).order(ByteOrder.LITTLE_ENDIAN);
            float[] values = new float[bytes.remaining() / Float.BYTES];
            bytes.asFloatBuffer().get(values);
            return values;
        } catch (IOException e) {
            throw new IllegalStateException(file + " unreadable", e);
        }
    }

    /** The file system path of a fixture (tests run from target/test-classes, not a jar). */
    static Path path(String file) {
        URL url = PreprocessingFixtures.class.getResource(ROOT + file);
        if (url == null) {
            throw new IllegalStateException(ROOT + file + " missing: run " + MADE_BY);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url + " is not a file", e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Empty when equal, else how the two images differ (for assertion messages). */
    static String difference(RgbImage expected, RgbImage actual) {
        if (expected.width() != actual.width() || expected.height() != actual.height()) {
            return "size " + actual.width() + "x" + actual.height() + ", expected " + expected.width() + "x"
                    + expected.height();
        }
        int differing = 0;
        int maxDifference = 0;
        int first = -1;
        for (int i = 0; i < expected.pixels().length; i++) {
            int difference = Math.abs((expected.pixels()[i] & 0xFF) - (actual.pixels()[i] & 0xFF));
            if (difference != 0) {
                differing++;
                maxDifference = Math.max(maxDifference, difference);
                first = first < 0 ? i : first;
            }
        }
        if (differing == 0) {
            return "";
        }
        int pixel = first / 3;
        return differing + " of " + expected.pixels().length + " bytes differ, by up to " + maxDifference
                + "; first at (x=" + pixel % expected.width() + ", y=" + pixel / expected.width() + ", channel "
                + first % 3 + ")";
    }

    /** Largest absolute difference between two byte images of the same size. */
    static int maxDifference(RgbImage expected, RgbImage actual) {
        int max = 0;
        for (int i = 0; i < expected.pixels().length; i++) {
            max = Math.max(max, Math.abs((expected.pixels()[i] & 0xFF) - (actual.pixels()[i] & 0xFF)));
        }
        return max;
    }

    private static InputStream open(String file) {
        InputStream in = PreprocessingFixtures.class.getResourceAsStream(ROOT + file);
        if (in == null) {
            throw new IllegalStateException(ROOT + file + " missing: run " + MADE_BY);
        }
        return in;
    }

    private static JsonNode readIndex() {
        try (InputStream in = open("fixtures.json")) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(ROOT + "fixtures.json unreadable", e);
        }
    }
}
