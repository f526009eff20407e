package org.repzoo.spark;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import javax.imageio.ImageIO;
import org.repzoo.evaluation.EvalSet;

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
}
