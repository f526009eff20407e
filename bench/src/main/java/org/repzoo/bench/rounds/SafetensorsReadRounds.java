package org.repzoo.bench.rounds;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.repzoo.bench.TimingStats;
import org.repzoo.weights.format.Checkpoint;
import org.repzoo.weights.format.DType;
import org.repzoo.weights.format.HostTensor;
import org.repzoo.weights.format.Safetensors;
import org.repzoo.weights.format.StoredTensor;

/**
 * Read speed of a checkpoint the size of VGG-16's (138,357,544 float32 values, 528 MB) through {@link Safetensors}:
 * the file is written once to a temporary folder, then opened and every tensor read, once per round, from the page
 * cache after the first. Prints each round's GB/s, the median and the best; the file is deleted at the end. No
 * arguments; {@code -Drepzoo.bench.rounds=N} (default 5) adjusts the rounds:
 *
 * <pre>{@code tools/bench/rounds.sh SafetensorsReadRounds}</pre>
 */
public final class SafetensorsReadRounds {

    private static final int ROUNDS = Integer.getInteger("repzoo.bench.rounds", 5);

    private SafetensorsReadRounds() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0) {
            System.err.println("usage: SafetensorsReadRounds (no arguments; -Drepzoo.bench.rounds=N)");
            System.exit(2);
        }
        Path dir = Files.createTempDirectory("repzoo-safetensors-rounds");
        Path file = dir.resolve("vgg16-sized.safetensors");
        try {
            Map<String, StoredTensor> tensors = new LinkedHashMap<>();
            tensors.put("classifier.0.weight", tensor(4096, 25088));
            tensors.put("classifier.3.weight", tensor(4096, 4096));
            tensors.put("features", tensor(18_819_880)); // the rest of VGG-16's parameters, as one tensor
            Safetensors.write(file, tensors, null);
            tensors.clear();
            double[] gigabytesPerSecond = new double[ROUNDS];
            for (int round = 0; round < ROUNDS; round++) {
                long start = System.nanoTime();
                long bytes = 0;
                try (Checkpoint checkpoint = Safetensors.open(file)) {
                    for (StoredTensor tensor : checkpoint.tensors().values()) {
                        bytes += tensor.read().remaining();
                    }
                }
                gigabytesPerSecond[round] = bytes / ((System.nanoTime() - start) / 1e9) / 1e9;
                System.out.printf("round %d: %d MB at %.2f GB/s%n", round + 1, bytes >> 20, gigabytesPerSecond[round]);
            }
            System.out.printf("safetensors read, %d MB: median %.2f GB/s, best %.2f GB/s over %d rounds%n",
                    Files.size(file) >> 20, TimingStats.median(gigabytesPerSecond),
                    Arrays.stream(gigabytesPerSecond).max().orElseThrow(), ROUNDS);
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private static HostTensor tensor(long... shape) {
        long count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        return new HostTensor(DType.F32, shape, ByteBuffer.allocate(Math.toIntExact(count * Float.BYTES)));
    }
}
