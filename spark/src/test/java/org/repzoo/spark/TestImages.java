package org.repzoo.spark;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.repzoo.evaluation.EvalSet;
import org.repzoo.evaluation.data.IdxDataset;

/**
 * An image set for the Spark tests: the evaluation module's committed one (bird, cat, dog: PNG in several colour
 * types and a JPEG) plus seeded random images, so that every Spark partition holds several images of every kind.
 */
final class TestImages {

    private TestImages() {
    }

    /** The committed images and {@code extraPerClass} generated ones per class, under {@code folder/images}. */
    static Path create(Path folder, int extraPerClass) throws IOException {
        Path root = EvalSet.copyImages(folder.resolve("images"));
        Random random = new Random(42);
        for (String name : new String[] {"bird", "cat", "dog"}) {
            for (int i = 0; i < extraPerClass; i++) {
                // Sizes around the 64 crop: some upscaled, some cropped, portrait and landscape.
                int width = 48 + random.nextInt(48);
                int height = 48 + random.nextInt(48);
                BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
                int base = random.nextInt(0x1000000);
                for (int y = 0; y < height; y++) {
                    for (int x = 0; x < width; x++) {
                        image.setRGB(x, y, base ^ (random.nextInt(0x40) * 0x10101) ^ ((x * 4) << 8) ^ (y * 4));
                    }
                }
                ImageIO.write(image, "png", root.resolve(name).resolve(String.format("g%02d.png", i)).toFile());
            }
        }
        return root;
    }

    /**
     * An uncompressed IDX training file ({@code train-images-idx3-ubyte} and its labels) of {@code count} seeded 12x12
     * grey images in 3 classes named as the folders' (bird, cat, dog), under {@code folder}.
     */
    static Path idx(Path folder, int count) throws IOException {
        Files.createDirectories(folder);
        Random random = new Random(5);
        ByteArrayOutputStream images = new ByteArrayOutputStream();
        ByteArrayOutputStream labels = new ByteArrayOutputStream();
        try (DataOutputStream imageOut = new DataOutputStream(images);
             DataOutputStream labelOut = new DataOutputStream(labels)) {
            imageOut.writeInt(0x803);
            imageOut.writeInt(count);
            imageOut.writeInt(12);
            imageOut.writeInt(12);
            labelOut.writeInt(0x801);
            labelOut.writeInt(count);
            for (int i = 0; i < count; i++) {
                int label = i % 3;
                labelOut.writeByte(label);
                for (int p = 0; p < 144; p++) {
                    // a brighter band of rows for each class, over noise
                    imageOut.writeByte(random.nextInt(128) + (p / 48 == label ? 120 : 0));
                }
            }
        }
        Files.write(folder.resolve("train-images-idx3-ubyte"), images.toByteArray());
        Files.write(folder.resolve("train-labels-idx1-ubyte"), labels.toByteArray());
        Files.writeString(folder.resolve(IdxDataset.CLASS_NAMES_FILE), "bird\ncat\ndog\n");
        return folder;
    }

    /**
     * The folder tree's images as the ILSVRC-2012 validation layout: one folder of {@code ILSVRC2012_val_NNNNNNNN}
     * files and a ground-truth file with one WordNet id per line (bird n01000000, cat n02000000, dog n03000000).
     *
     * @return the validation folder; its ground truth is {@code labels.txt} beside it
     */
    static Path ilsvrc(Path tree, Path folder) throws IOException {
        Path val = Files.createDirectories(folder.resolve("val"));
        List<String> labels = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(tree)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            String name = file.getFileName().toString();
            String extension = name.substring(name.lastIndexOf('.'));
            Files.copy(file, val.resolve(String.format("ILSVRC2012_val_%08d%s", labels.size() + 1, extension)));
            labels.add(switch (tree.relativize(file).getName(0).toString()) {
                case "bird" -> "n01000000";
                case "cat" -> "n02000000";
                default -> "n03000000";
            });
        }
        Files.write(folder.resolve("labels.txt"), labels);
        return val;
    }
}
