package org.repzoo.bench.rounds;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.repzoo.evaluation.data.ImageFolder;
import org.repzoo.evaluation.data.Selection;
import org.repzoo.evaluation.engine.Evaluation;
import org.repzoo.evaluation.engine.EvaluationOptions;
import org.repzoo.evaluation.engine.EvaluationResult;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.evaluation.engine.Timings;
import org.repzoo.evaluation.protocol.Protocol;
import org.repzoo.evaluation.protocol.ProtocolName;
import org.repzoo.evaluation.protocol.ProtocolSettings;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.ModelEntry;

/**
 * Throughput of every protocol for resnet50 and vgg16 (random weights: speed does not depend on them) at batch 16,
 * on 500x375 JPEGs, and the pipeline's overhead: the time the model thread waits for prepared images, as a fraction
 * of model time. Each protocol runs on enough images for about the same amount of work (more images for the cheap
 * ones); a warm-up run comes first. After the table one line per row says whether docs/EVALUATION.md's target held:
 * the overhead below the 10% bound. No arguments: {@code tools/bench/rounds.sh EvaluationRounds};
 * {@code -Drepzoo.bench.models=resnet50}, {@code -Drepzoo.bench.scale=2} (twice the images) and
 * {@code -Drepzoo.bench.protocols=single,dense} adjust it. The images are written to a temporary folder, deleted at
 * the end; the table is also written to {@code bench/target/eval-benchmark.md} (relative to the working directory,
 * the repository root under rounds.sh). Figures are in {@code docs/EVALUATION.md}.
 */
public final class EvaluationRounds {

    /** Images per protocol (in ProtocolName order) at scale 1: fewer for the protocols of many views. */
    private static final int[] IMAGES = {32, 12, 4, 1, 1, 2, 1};
    /** docs/EVALUATION.md: the time the model waits for input stays below the 10% of model time. */
    private static final double OVERHEAD_BOUND = 0.10;
    private static final Path TABLE = Path.of("bench", "target", "eval-benchmark.md");

    private EvaluationRounds() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length > 0) {
            System.err.println("usage: EvaluationRounds (no arguments; -Drepzoo.bench.models=resnet50,vgg16, "
                    + "-Drepzoo.bench.scale=N, -Drepzoo.bench.protocols=single,dense)");
            System.exit(2);
        }
        Path temp = Files.createTempDirectory("repzoo-eval-rounds");
        try {
            protocols(temp);
        } finally {
            try (Stream<Path> files = Files.walk(temp)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(file);
                }
            }
        }
    }

    private static void protocols(Path temp) throws IOException {
        int scale = Integer.getInteger("repzoo.bench.scale", 1);
        int most = 0;
        for (int images : IMAGES) {
            most = Math.max(most, images * scale);
        }
        Path data = images(temp, most);
        List<String> only = Stream.of(System.getProperty("repzoo.bench.protocols", "").split(","))
                .filter(protocol -> !protocol.isBlank()).toList();
        List<String> rows = new ArrayList<>();
        List<String> targets = new ArrayList<>();
        rows.add(String.format(Locale.ROOT, "threads %s, %d processors, load average %.2f before the run",
                System.getenv().getOrDefault("OMP_NUM_THREADS", "default"), Runtime.getRuntime().availableProcessors(),
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        rows.add("| model | protocol | views/image | images | images/s | views/s | model s | waiting s | overhead |"
                + " batching s |");
        rows.add("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String name : System.getProperty("repzoo.bench.models", "resnet50,vgg16").split(",")) {
            ModelEntry entry = Zoo.registry().get(name);
            ComputationGraph graph = entry.init();
            Member member = new Member(name, name, graph, entry.preset());
            run(member, data, ProtocolName.SINGLE, 2); // warm-up: JIT, oneDNN primitives, workspaces
            String alone = String.format(Locale.ROOT, "%s forward alone (random batch of 16 at 224, median of 3): "
                    + "%.2f images/s", name, forwardAlone(graph));
            rows.add(0, alone);
            System.out.println(alone);
            ProtocolName[] names = ProtocolName.values();
            for (int i = 0; i < names.length; i++) {
                if (!only.isEmpty() && !only.contains(names[i].text())) {
                    continue;
                }
                EvaluationResult result = run(member, data, names[i], IMAGES[i] * scale);
                Timings timings = result.timings();
                String row = String.format(Locale.ROOT,
                        "| %s | %s | %d | %d | %.3g | %.3g | %.1f | %.2f | %.1f%% | %.2f |", name, names[i].text(),
                        result.results().get(0).protocol().viewsPerImage(), result.images(),
                        result.imagesPerSecond(), result.viewsPerSecond(), timings.model(), timings.waiting(),
                        100 * timings.overhead(), timings.batching());
                rows.add(row);
                System.out.println(row);
                targets.add(String.format(Locale.ROOT, "target: %s %s overhead (model waiting for input) below the "
                        + "issue's 10%% bound — %s (%.1f%%)", name, names[i].text(),
                        timings.overhead() < OVERHEAD_BOUND ? "held" : "missed", 100 * timings.overhead()));
            }
        }
        rows.add(String.format(Locale.ROOT, "load average %.2f after the run",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        String table = String.join("\n", rows) + "\n";
        System.out.println(table);
        targets.forEach(System.out::println);
        Files.createDirectories(TABLE.getParent());
        Files.writeString(TABLE, table);
    }

    /** The model alone, without the pipeline: images/s of a random batch of 16 (the ceiling for single). */
    private static double forwardAlone(ComputationGraph graph) {
        INDArray input = Nd4j.rand(DataType.FLOAT, 16, 3, 224, 224);
        graph.output(false, input);
        double[] seconds = new double[3];
        for (int i = 0; i < seconds.length; i++) {
            long start = System.nanoTime();
            graph.output(false, input);
            seconds[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(seconds);
        return 16 / seconds[1];
    }

    private static EvaluationResult run(Member member, Path data, ProtocolName name, int images) throws IOException {
        Protocol protocol = ProtocolSettings.defaults().protocol(name, member.preset());
        return Evaluation.run(new Evaluation.Setup(List.of(member), ImageFolder.open(data, null),
                Selection.all().withLimit(images), List.of(protocol), EvaluationOptions.defaults().withBatchSize(16),
                null), (done, total) -> { });
    }

    /** 500x375 JPEGs (ImageNet's most common size) of smooth colour and noise, in one class folder. */
    private static Path images(Path temp, int count) throws IOException {
        Path folder = temp.resolve("images").resolve("n00000000");
        Files.createDirectories(folder);
        Random random = new Random(1);
        for (int i = 0; i < count; i++) {
            BufferedImage image = new BufferedImage(500, 375, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < 375; y++) {
                for (int x = 0; x < 500; x++) {
                    int noise = random.nextInt(32);
                    image.setRGB(x, y, ((x / 2 + noise) & 0xFF) << 16 | ((y * 2 / 3 + noise) & 0xFF) << 8
                            | ((i * 40 + noise) & 0xFF));
                }
            }
            ImageIO.write(image, "jpg", folder.resolve(String.format(Locale.ROOT, "%03d.jpg", i)).toFile());
        }
        return temp.resolve("images");
    }
}
