package org.repzoo.evaluation.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.AbstractList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;
import org.repzoo.evaluation.image.ImageFileException;
import org.repzoo.evaluation.image.RgbImage;

/**
 * MNIST-format IDX files (LeCun's format, also Fashion-MNIST's): an images file (magic {@code 0x00000803}, unsigned
 * bytes, N x rows x columns) and a labels file ({@code 0x00000801}, N bytes), plain or gzipped, as Debian's
 * {@code dataset-fashion-mnist} installs them under {@code /usr/share/datasets/fashion-mnist}. Grey images become
 * RGB by repeating the value in the three channels, as PIL's {@code convert("RGB")} of mode {@code L} does.
 *
 * <p>{@code --data} may be the images file or the folder holding it; in a folder the split's files are found by
 * their usual names ({@code t10k-images-idx3-ubyte[.gz]} for {@code test}, {@code train-images-...} for
 * {@code train}; MNIST's {@code t10k-images.idx3-ubyte} spelling too). The labels file is the images file's name
 * with {@code images} → {@code labels} and {@code idx3} → {@code idx1}. The labels are held in memory (one byte per
 * image); the pixels of a gzipped file too (7.8 MB for a 10,000-image test set), while those of an uncompressed file
 * stay on disk and each image is read when asked for (a positional read of its bytes), so that listing a large file
 * (a Spark driver's, 600,000 images) costs its labels only.
 *
 * <p>Class names, in this order: a {@value #CLASS_NAMES_FILE} beside the images file (one name per line, in label
 * order); Fashion-MNIST's when the labels are Fashion-MNIST's own (the SHA-256 of its training or test labels, as
 * Debian's {@code dataset-fashion-mnist} ships them, decompressed); else the labels as numbers ({@code "0"}, {@code
 * "1"}...), which for MNIST are its digits.
 */
public final class IdxDataset implements Dataset {

    static final int IMAGES_MAGIC = 0x00000803;
    static final int LABELS_MAGIC = 0x00000801;

    /** Fashion-MNIST's classes (Xiao, Rasul &amp; Vollgraf 2017), label order. */
    public static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    /** The file beside the images that names the classes, one per line. */
    public static final String CLASS_NAMES_FILE = "classes.txt";
    /** SHA-256 of Fashion-MNIST's label bytes (after the 8-byte header): the training set's and the test set's. */
    private static final Set<String> FASHION_LABELS = Set.of(
            "657fbd221bfc9f4198cc14b5619cc33ec57c58dd0e47af4d99d6650759e869a7",
            "3d0e6c6ea990b53b6f8f500a41cac93881d981b315f84578b7d915342ade01e9");

    private final Path imagesFile;
    private final List<String> classes;
    private final List<Sample> samples;

    private IdxDataset(Path imagesFile, List<String> classes, List<Sample> samples) {
        this.imagesFile = imagesFile;
        this.classes = classes;
        this.samples = samples;
    }

    /** Whether {@code path} is an IDX images file or a folder holding one for some split. */
    public static boolean looksLikeIdx(Path path) {
        if (Files.isRegularFile(path)) {
            return path.getFileName().toString().contains("idx3");
        }
        return Files.isDirectory(path) && (find(path, "test") != null || find(path, "train") != null);
    }

    /** @param split {@code test} or {@code train}, used when {@code path} is a folder */
    public static IdxDataset open(Path path, String split) throws IOException {
        Path images = Files.isDirectory(path) ? find(path, split) : path;
        if (images == null) {
            throw new BadInputException(new BadInput(path.toString(), "no IDX images file for split '" + split
                    + "' (looked for " + prefix(split) + "-images-idx3-ubyte[.gz])"));
        }
        Path labels = images.resolveSibling(images.getFileName().toString().replace("images", "labels")
                .replace("idx3", "idx1"));
        if (!Files.isRegularFile(labels)) {
            throw new BadInputException(new BadInput(labels.toString(), "labels file for " + images + " not found"));
        }
        int count;
        int rows;
        int columns;
        Pixels pixels;
        try (DataInputStream in = open(images)) {
            expectMagic(in, IMAGES_MAGIC, images);
            count = in.readInt();
            rows = in.readInt();
            columns = in.readInt();
            if (count < 0 || rows < 1 || columns < 1 || (long) count * rows * columns > Integer.MAX_VALUE) {
                throw new BadInputException(new BadInput(images.toString(), "bad IDX header: " + count + " images of "
                        + rows + "x" + columns));
            }
            if (gzipped(images)) {
                byte[] all = new byte[count * rows * columns];
                in.readFully(all);
                pixels = (offset, width, height) -> grey(all, (int) offset, width, height);
            } else {
                if (Files.size(images) < HEADER_BYTES + (long) count * rows * columns) {
                    throw new EOFException();
                }
                pixels = (offset, width, height) -> grey(read(images, offset, width * height), 0, width, height);
            }
        } catch (EOFException e) {
            throw new BadInputException(new BadInput(images.toString(), "truncated IDX file"));
        }
        byte[] labelBytes;
        try (DataInputStream in = open(labels)) {
            expectMagic(in, LABELS_MAGIC, labels);
            int labelCount = in.readInt();
            if (labelCount != count) {
                throw new BadInputException(new BadInput(labels.toString(), labelCount + " labels for the " + count
                        + " images of " + images));
            }
            labelBytes = new byte[labelCount];
            in.readFully(labelBytes);
        } catch (EOFException e) {
            throw new BadInputException(new BadInput(labels.toString(), "truncated IDX file"));
        }
        List<String> classes = classNames(images, labelBytes);
        for (int i = 0; i < count; i++) {
            int label = labelBytes[i] & 0xFF;
            if (label >= classes.size()) {
                throw new BadInputException(new BadInput(labels + "#" + i, "label " + label + " outside 0.."
                        + (classes.size() - 1)));
            }
        }
        return new IdxDataset(images, classes, new Samples(images.getFileName().toString(), labelBytes, pixels,
                columns, rows));
    }

    /** An IDX file holds this many bytes before the first image. */
    private static final int HEADER_BYTES = 16;

    /** Where the pixels are: an array holding them all, or the file (read at each call). */
    @FunctionalInterface
    private interface Pixels {
        /** The image whose pixels start {@code offset} bytes into the pixel data. */
        RgbImage image(long offset, int width, int height) throws ImageFileException;
    }

    /** The samples, made when asked for: a list of 600,000 records would cost more than the labels themselves. */
    private static final class Samples extends AbstractList<Sample> {

        private final String name;
        private final byte[] labels;
        private final Pixels pixels;
        private final int width;
        private final int height;

        Samples(String name, byte[] labels, Pixels pixels, int width, int height) {
            this.name = name;
            this.labels = labels;
            this.pixels = pixels;
            this.width = width;
            this.height = height;
        }

        @Override
        public Sample get(int index) {
            if (index < 0 || index >= labels.length) {
                throw new IndexOutOfBoundsException("image " + index + " of " + labels.length);
            }
            long offset = (long) index * width * height;
            return new Sample(name + "#" + index, labels[index] & 0xFF, () -> pixels.image(offset, width, height));
        }

        @Override
        public int size() {
            return labels.length;
        }
    }

    /** One image's bytes from an uncompressed file; each call opens the file (safe from any thread). */
    private static byte[] read(Path images, long offset, int length) throws ImageFileException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        try (FileChannel channel = FileChannel.open(images, StandardOpenOption.READ)) {
            long position = HEADER_BYTES + offset;
            while (buffer.hasRemaining()) {
                int read = channel.read(buffer, position + buffer.position());
                if (read < 0) {
                    throw new ImageFileException(images, "truncated IDX file (image at byte " + position + ")");
                }
            }
        } catch (ImageFileException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageFileException(images, "cannot be read: " + e, e);
        }
        return buffer.array();
    }

    /** The classes' names: {@value #CLASS_NAMES_FILE}, Fashion-MNIST's, or the label numbers (see the class). */
    private static List<String> classNames(Path images, byte[] labels) throws IOException {
        Path named = images.resolveSibling(CLASS_NAMES_FILE);
        if (Files.isRegularFile(named)) {
            List<String> names = Files.readAllLines(named, StandardCharsets.UTF_8).stream().map(String::strip)
                    .filter(line -> !line.isEmpty()).toList();
            if (names.isEmpty()) {
                throw new BadInputException(new BadInput(named.toString(), "names no class"));
            }
            return names;
        }
        if (FASHION_LABELS.contains(sha256(labels))) {
            return FASHION_CLASSES;
        }
        int largest = 0;
        for (byte label : labels) {
            largest = Math.max(largest, label & 0xFF);
        }
        return IntStream.rangeClosed(0, Math.max(9, largest)).mapToObj(Integer::toString).toList();
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
    }

    private static RgbImage grey(byte[] pixels, int offset, int width, int height) {
        byte[] rgb = new byte[3 * width * height];
        for (int i = 0; i < width * height; i++) {
            byte value = pixels[offset + i];
            rgb[3 * i] = value;
            rgb[3 * i + 1] = value;
            rgb[3 * i + 2] = value;
        }
        return new RgbImage(width, height, rgb);
    }

    private static String prefix(String split) {
        return switch (split) {
            case "test" -> "t10k";
            case "train" -> "train";
            default -> throw new IllegalArgumentException("IDX split must be test or train, got " + split);
        };
    }

    private static Path find(Path folder, String split) {
        String prefix = prefix(split);
        for (String name : List.of(prefix + "-images-idx3-ubyte", prefix + "-images.idx3-ubyte")) {
            for (String suffix : List.of("", ".gz")) {
                Path candidate = folder.resolve(name + suffix);
                if (Files.isRegularFile(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static boolean gzipped(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.read() == 0x1f && in.read() == 0x8b;
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int first = raw.read();
        int second = raw.read();
        raw.reset();
        boolean gzip = first == 0x1f && second == 0x8b;
        return new DataInputStream(gzip ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw);
    }

    private static void expectMagic(DataInputStream in, int magic, Path file) throws IOException {
        int actual = in.readInt();
        if (actual != magic) {
            throw new BadInputException(new BadInput(file.toString(), String.format("not an IDX %s file (magic "
                    + "0x%08x, expected 0x%08x)", magic == IMAGES_MAGIC ? "images" : "labels", actual, magic)));
        }
    }

    @Override
    public String kind() {
        return "idx";
    }

    @Override
    public String location() {
        return imagesFile.toString();
    }

    @Override
    public List<String> classNames() {
        return classes;
    }

    @Override
    public List<Sample> samples() {
        return samples;
    }

    @Override
    public List<BadInput> problems() {
        return List.of();
    }
}
