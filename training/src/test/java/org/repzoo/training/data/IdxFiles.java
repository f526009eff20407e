package org.repzoo.training.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small MNIST-format IDX files for tests: class k's images are bright in band k, so a net can learn them. */
public final class IdxFiles {

    private IdxFiles() {
    }

    /** {@code count} images of {@code size}x{@code size} in {@code classes} classes, as the train and test splits. */
    public static Path write(Path folder, int count, int size, int classes, long seed) throws IOException {
        Files.createDirectories(folder);
        for (String split : new String[] {"train", "t10k"}) {
            java.util.SplittableRandom random = new java.util.SplittableRandom(seed + split.length());
            byte[] pixels = new byte[count * size * size];
            byte[] labels = new byte[count];
            for (int i = 0; i < count; i++) {
                int label = i % classes;
                labels[i] = (byte) label;
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        boolean band = y * classes / size == label;
                        pixels[i * size * size + y * size + x] = (byte) ((band ? 160 : 0) + random.nextInt(90));
                    }
                }
            }
            Files.write(folder.resolve(split + "-images-idx3-ubyte"), idx(0x803, new int[] {count, size, size}, pixels));
            Files.write(folder.resolve(split + "-labels-idx1-ubyte"), idx(0x801, new int[] {count}, labels));
        }
        return folder;
    }

    private static byte[] idx(int magic, int[] dimensions, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        for (int d : dimensions) {
            out.writeInt(d);
        }
        out.write(data);
        return bytes.toByteArray();
    }
}
