package org.repzoo.evaluation.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads an image file into 8-bit RGB the way torchvision's {@code pil_loader} does,
 * {@code Image.open(f).convert("RGB")} (docs/PROTOCOLS.md P7), with the JPEG, PNG, BMP and GIF readers of
 * {@code javax.imageio}.
 *
 * <p>The conversion follows Pillow 9.4's {@code convert("RGB")} on the mode Pillow opens the file in:
 * <ul>
 *   <li>palette images (also 1-, 2- and 4-bit grey, which ImageIO reads through a grey palette): the palette
 *       colour; a transparent index keeps its colour;</li>
 *   <li>grey: the value replicated to R, G and B; alpha channels are dropped, never composited;</li>
 *   <li>16-bit samples: the high byte (Pillow's {@code ;16B} unpackers), except 16-bit grey without alpha, which
 *       Pillow opens as mode {@code I} and converts by clipping to 255;</li>
 *   <li>fewer than 8 bits (16-bit BMP): {@code v * 255 / max}, as Pillow's {@code BGR;15}/{@code BGR;16};</li>
 *   <li>CMYK JPEG: Pillow's {@code cmyk2rgb}, {@code R = (255-K) - (C*(255-K))/255} with its rounding;</li>
 *   <li>embedded ICC profiles are ignored, as Pillow ignores them: a JPEG's {@code ICC_PROFILE} segments are
 *       removed before ImageIO, which would otherwise convert the pixels to sRGB.</li>
 * </ul>
 * Lossless formats match Pillow exactly. JPEG goes through two decoders (ImageIO's libjpeg 6b, Pillow's
 * libjpeg-turbo); they agree exactly on the test files (4:2:0, 4:2:2, 4:4:4, progressive, grey, CMYK), but other
 * encodings may differ by a level or two (P7). GIF: the first frame. Files that cannot be decoded (not an
 * image, truncated, an unsupported colour space) raise {@link ImageFileException} naming the file and the reason;
 * like Pillow without {@code LOAD_TRUNCATED_IMAGES}, a truncated JPEG is refused even though ImageIO would pad it.
 */
public final class ImageDecoder {

    private static final byte[] ICC_PROFILE = "ICC_PROFILE\0".getBytes(StandardCharsets.US_ASCII);

    private ImageDecoder() {
    }

    /** The image in {@code file} as RGB, converted like {@code Image.open(file).convert("RGB")}. */
    public static RgbImage read(Path file) throws ImageFileException {
        if (!Files.isRegularFile(file)) {
            throw new ImageFileException(file, Files.exists(file) ? "not a regular file" : "no such file");
        }
        byte[] data;
        try {
            data = withoutIccProfiles(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ImageFileException(file, "cannot be read: " + e, e);
        }
        try (ImageInputStream input = new MemoryCacheImageInputStream(new ByteArrayInputStream(data))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(input);
            if (!readers.hasNext()) {
                throw new ImageFileException(file, "not an image in a format javax.imageio reads (JPEG, PNG, BMP, GIF)");
            }
            return decode(file, readers.next(), input);
        } catch (ImageFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageFileException(file, "cannot be read: " + e, e);
        }
    }

    private static RgbImage decode(Path file, ImageReader reader, ImageInputStream input) throws ImageFileException {
        String format = formatName(reader);
        List<String> warnings = new ArrayList<>();
        try {
            reader.setInput(input, true, true);
            reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image = reader.read(0);
            for (String warning : warnings) {
                // ImageIO's JPEG reader pads a file that ends early; Pillow refuses it ("image file is truncated").
                if (warning.contains("Truncated File") || warning.contains("Premature end")) {
                    throw new ImageFileException(file, "truncated " + format + " (" + String.join("; ", warnings)
                            + ")");
                }
            }
            return toRgb(file, format, image);
        } catch (ImageFileException e) {
            throw e;
        } catch (EOFException e) {
            throw new ImageFileException(file, "truncated " + format + " (the file ends inside the image data)", e);
        } catch (IOException | RuntimeException e) {
            // ImageIO's readers also throw unchecked exceptions (index, size, state) on corrupt files.
            throw new ImageFileException(file, "cannot decode " + format + ": " + describe(e), e);
        } finally {
            reader.dispose();
        }
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return reader.getOriginatingProvider() != null
                    ? reader.getOriginatingProvider().getFormatNames()[0].toUpperCase(Locale.ROOT) : "image";
        }
    }

    /**
     * {@code jpeg} without its APP2 {@code ICC_PROFILE} segments; any other file unchanged. ImageIO's JPEG reader
     * converts the pixels from an embedded profile to sRGB, Pillow ignores profiles: without the segments both
     * return the decoder's own RGB (or CMYK). Only the segments before the first scan are looked at; a malformed
     * header is left for the decoder to report.
     */
    static byte[] withoutIccProfiles(byte[] jpeg) {
        if (jpeg.length < 4 || (jpeg[0] & 0xFF) != 0xFF || (jpeg[1] & 0xFF) != 0xD8) {
            return jpeg;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(jpeg.length);
        out.write(jpeg, 0, 2);
        int at = 2;
        boolean stripped = false;
        while (at + 4 <= jpeg.length && (jpeg[at] & 0xFF) == 0xFF) {
            int marker = jpeg[at + 1] & 0xFF;
            if (marker == 0xFF) {
                out.write(0xFF); // fill byte before a marker
                at++;
                continue;
            }
            if (marker == 0xDA || marker == 0xD9 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
                break; // start of scan, end of image, or a marker without a length
            }
            int end = at + 2 + ((jpeg[at + 2] & 0xFF) << 8 | (jpeg[at + 3] & 0xFF));
            if (end < at + 4 || end > jpeg.length) {
                break;
            }
            if (marker == 0xE2 && startsWith(jpeg, at + 4, end, ICC_PROFILE)) {
                stripped = true;
            } else {
                out.write(jpeg, at, end - at);
            }
            at = end;
        }
        if (!stripped) {
            return jpeg;
        }
        out.write(jpeg, at, jpeg.length - at);
        return out.toByteArray();
    }

    private static boolean startsWith(byte[] data, int from, int end, byte[] prefix) {
        if (end - from < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (data[from + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder(String.valueOf(error.getMessage()));
        if ("Unsupported Image Type".equals(error.getMessage())) {
            text.append(" (a colour space javax.imageio's JPEG reader does not support)");
        }
        Throwable cause = error.getCause();
        for (int depth = 0; cause != null && depth < 3; depth++, cause = cause.getCause()) {
            text.append(": ").append(cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
        }
        return text.toString();
    }

    private static RgbImage toRgb(Path file, String format, BufferedImage image) throws ImageFileException {
        int width = image.getWidth();
        int height = image.getHeight();
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        int bands = raster.getNumBands();
        PixelConversion conversion = conversion(file, format, model);
        byte[] out = new byte[Math.multiplyExact(3, Math.multiplyExact(width, height))];
        int[] row = new int[width * bands];
        int[] rgb = new int[3];
        for (int y = 0; y < height; y++) {
            raster.getPixels(raster.getMinX(), raster.getMinY() + y, width, 1, row);
            for (int x = 0; x < width; x++) {
                conversion.toRgb(row, x * bands, rgb);
                int at = 3 * (y * width + x);
                out[at] = (byte) rgb[0];
                out[at + 1] = (byte) rgb[1];
                out[at + 2] = (byte) rgb[2];
            }
        }
        return new RgbImage(width, height, out);
    }

    /** How one pixel's raster samples (from {@code offset}) become RGB. */
    @FunctionalInterface
    private interface PixelConversion {
        void toRgb(int[] samples, int offset, int[] rgb);
    }

    private static PixelConversion conversion(Path file, String format, ColorModel model) throws ImageFileException {
        if (model instanceof IndexColorModel palette) {
            return (samples, offset, rgb) -> {
                int index = samples[offset];
                rgb[0] = palette.getRed(index);
                rgb[1] = palette.getGreen(index);
                rgb[2] = palette.getBlue(index);
            };
        }
        int[] bits = model.getComponentSize();
        int colours = model.getNumColorComponents();
        int spaceType = model.getColorSpace().getType();
        for (int component = 0; component < colours; component++) {
            if (bits[component] < 1 || bits[component] > 16 || (bits[component] > 8 && bits[component] != 16)) {
                throw new ImageFileException(file, format + " with " + bits[component]
                        + "-bit samples is not supported");
            }
        }
        if (spaceType == ColorSpace.TYPE_GRAY && colours == 1) {
            boolean clip = bits[0] == 16 && !model.hasAlpha();
            return (samples, offset, rgb) -> {
                int grey = clip ? Math.min(samples[offset], 255) : toByte(samples[offset], bits[0]);
                rgb[0] = grey;
                rgb[1] = grey;
                rgb[2] = grey;
            };
        }
        if (spaceType == ColorSpace.TYPE_RGB && colours == 3) {
            return (samples, offset, rgb) -> {
                for (int channel = 0; channel < 3; channel++) {
                    rgb[channel] = toByte(samples[offset + channel], bits[channel]);
                }
            };
        }
        if (spaceType == ColorSpace.TYPE_CMYK && colours == 4) {
            return (samples, offset, rgb) -> {
                int white = 255 - toByte(samples[offset + 3], bits[3]);
                for (int channel = 0; channel < 3; channel++) {
                    rgb[channel] = clip8(white - mulDiv255(toByte(samples[offset + channel], bits[channel]), white));
                }
            };
        }
        throw new ImageFileException(file, format + " in a colour space with " + colours
                + " components (type " + spaceType + ") that cannot be converted to RGB");
    }

    /** An unsigned sample of {@code bits} bits as 8 bits, as Pillow's unpackers do. */
    private static int toByte(int sample, int bits) {
        if (bits == 8) {
            return sample;
        }
        if (bits == 16) {
            return sample >>> 8;
        }
        return sample * 255 / ((1 << bits) - 1);
    }

    /** Pillow's {@code MULDIV255}: {@code a * b / 255} rounded, without a division. */
    private static int mulDiv255(int a, int b) {
        int product = a * b + 128;
        return ((product >> 8) + product) >> 8;
    }

    private static int clip8(int value) {
        return value < 0 ? 0 : Math.min(value, 255);
    }
}
