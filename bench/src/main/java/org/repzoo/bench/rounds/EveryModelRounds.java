package org.repzoo.bench.rounds;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.bench.ModelBenchmark;
import org.repzoo.evaluation.model.GraphModel;
import org.repzoo.reparam.BatchNormFolder;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.InputTooSmallException;
import org.repzoo.zoo.core.ModelEntry;
import org.repzoo.zoo.core.ModelOptions;

/**
 * What {@code repzoo bench} runs, on every registered model: inference and a training step, batch 2 at a small input
 * (64x64 for the 224 nets, half the default for the others; the default where that is too small for the net), no
 * warm-up and one iteration each, through the bench library as the command calls it (a fresh graph per mode;
 * inference with every conv + BatchNorm pair folded, the command's default, on {@link GraphModel}). It checks that
 * every model runs, not how fast: one line per model and mode, then the failures, and exit status 1 if there were any.
 * Too slow for a test suite (every model is built twice, the largest hold 0.5 GB of weights; about 25 minutes on 2
 * busy cores when last timed, 2026-11-26, see docs/PERFORMANCE.md); {@code -Drepzoo.bench.models=REGEX} picks a subset:
 * {@code BENCH_JAVA_OPTS=-Drepzoo.bench.models='resnet.*' tools/bench/rounds.sh EveryModelRounds}. No arguments. The
 * largest training steps peak near 3 GB resident, within the script's default JavaCPP limits.
 */
public final class EveryModelRounds {

    private static final int BATCH = 2;

    private EveryModelRounds() {
    }

    public static void main(String[] args) {
        if (args.length > 0) {
            System.err.println("usage: EveryModelRounds (no arguments; -Drepzoo.bench.models=REGEX)");
            System.exit(2);
        }
        List<String> failures = new ArrayList<>();
        String only = System.getProperty("repzoo.bench.models", ".*");
        for (ModelEntry entry : Zoo.registry().entries()) {
            if (!entry.name().matches(only)) {
                continue;
            }
            InputShape full = entry.defaultInput();
            InputShape half = full.height() == 224 ? InputShape.of(full.channels(), 64, 64)
                    : InputShape.of(full.channels(), full.height() / 2, full.width() / 2);
            for (ModelBenchmark.Mode mode : ModelBenchmark.Mode.values()) {
                try {
                    ModelBenchmark.Result result;
                    try {
                        result = bench(entry, half, mode);
                    } catch (InputTooSmallException tooSmall) {
                        result = bench(entry, full, mode);
                    }
                    if (!(result.imagesPerSecond() > 0)) {
                        throw new IllegalStateException("no images per second: " + result.imagesPerSecond());
                    }
                    System.out.printf(Locale.ROOT, "%-22s %-5s %6.2f img/s  peak RSS %5.0f MB%n", entry.name(), mode,
                            result.imagesPerSecond(), result.residentPeakBytes() / 1e6);
                } catch (RuntimeException | OutOfMemoryError e) {
                    failures.add(entry.name() + " " + mode + ": " + e);
                    System.out.printf(Locale.ROOT, "%-22s %-5s failed: %s%n", entry.name(), mode, e);
                }
            }
            System.gc();
        }
        if (!failures.isEmpty()) {
            System.out.printf(Locale.ROOT, "%n%d failures:%n", failures.size());
            failures.forEach(System.out::println);
            System.exit(1);
        }
    }

    /** As {@code repzoo bench NAME --input INPUT --batch 2 --mode MODE --warmup 0 --iterations 1} runs it. */
    private static ModelBenchmark.Result bench(ModelEntry entry, InputShape input, ModelBenchmark.Mode mode) {
        ComputationGraph graph = entry.init(ModelOptions.defaults().withInput(input));
        long multiplyAdds = GraphStats.of(graph.getConfiguration(), input).multiplyAdds();
        ModelBenchmark.Settings settings = new ModelBenchmark.Settings(BATCH, mode, 0, 1, 0);
        if (mode == ModelBenchmark.Mode.TRAIN) {
            return ModelBenchmark.run(graph, input, multiplyAdds, settings, done -> { });
        }
        long weightBytes = graph.params().length() * graph.params().dataType().width();
        ComputationGraph folded = BatchNormFolder.pairs(graph.getConfiguration()).isEmpty() ? graph
                : BatchNormFolder.foldBatchNorm(graph);
        return ModelBenchmark.run(new GraphModel(folded), input, multiplyAdds, weightBytes, settings, done -> { });
    }
}
