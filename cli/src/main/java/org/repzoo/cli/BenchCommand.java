package org.repzoo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.repzoo.bench.BenchTarget;
import org.repzoo.bench.Machine;
import org.repzoo.bench.ModelBenchmark;
import org.repzoo.bench.SgemmPeak;
import org.repzoo.bench.TimingStats;
import org.repzoo.compat.Threads;
import org.repzoo.deploy.Engine;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.zoo.core.AtomicFiles;
import org.repzoo.zoo.core.InputShape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Inference or training-step speed of a model on random input: warm-up, then timed iterations; "
                + "median, min and max images/s, latency per batch, achieved GFLOP/s, peak heap and peak resident "
                + "memory for each batch size. --sgemm adds the machine's fp32 peak (a large sgemm through ND4J)."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME|MODEL.zip|MODEL.onnx",
            description = "A registered model (fresh weights), a model zip or an ONNX file.")
    private String model;

    @Option(names = "--engine", paramLabel = "dl4j|onnxruntime", description = "Inference engine (default: dl4j, "
            + "onnxruntime for an ONNX file; a registered model or zip on onnxruntime is exported to ONNX first).")
    private String engine;

    @Option(names = "--no-fold", description = "DL4J inference: time the graph as built (by default every conv + "
            + "BatchNorm pair is folded into the convolution first).")
    private boolean noFold;

    @Option(names = "--batch", paramLabel = "B[,B...]", description = "Batch sizes (default: ${DEFAULT-VALUE}).",
            defaultValue = "1,16")
    private String batches;

    @Option(names = "--input", paramLabel = "CxHxW", description = "Input size (default: the model's, e.g. 3x224x224).")
    private String input;

    @Option(names = "--mode", paramLabel = "infer|train", defaultValue = "infer",
            description = "infer: forward of the main head; train: forward, backward and a plain SGD update.")
    private String mode;

    @Option(names = "--threads", paramLabel = "N", description = "The engine's threads (default: one per core).")
    private Integer threads;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "2", description = "Untimed iterations first (default 2).")
    private int warmup;

    @Option(names = "--iterations", paramLabel = "N", defaultValue = "10", description = "Timed iterations (default 10).")
    private int iterations;

    @Option(names = "--max-seconds", paramLabel = "S", defaultValue = "0",
            description = "Stop timing a batch size after S seconds of timed iterations (at least 3 run); 0: no limit.")
    private double maxSeconds;

    @Option(names = "--sgemm", description = "Also measure the fp32 peak: a 4096x4096 sgemm through ND4J.")
    private boolean sgemm;

    @Option(names = "--json", paramLabel = "OUT.json", description = "Also write the figures as JSON ('-': stdout only).")
    private String json;

    @Override
    public Integer call() throws Exception {
        ModelBenchmark.Mode benchMode = ModelBenchmark.Mode.parse(mode);
        List<Integer> batchSizes = parseBatches(batches);
        if (model == null && !sgemm) {
            throw new IllegalArgumentException("name a model (see 'repzoo list') or give --sgemm");
        }
        Path jsonPath = json == null || json.equals("-") ? null : Path.of(json);
        Outputs.refuseInput(jsonPath, model == null ? null : Path.of(model));
        new ModelBenchmark.Settings(1, benchMode, warmup, iterations, maxSeconds); // checks the numbers before the model is built
        Engine chosen = engine == null ? null : Engine.parse(engine);
        if (threads != null) {
            if (threads < 1) {
                throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
            }
            Threads.set(threads);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("cpu", Machine.cpuModel());
        report.put("nd4j_native", Machine.nativeBuild());
        report.put("threads", threads != null ? threads : Threads.current());
        report.put("load_average_before", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        PrintWriter out = spec.commandLine().getOut();
        boolean table = !"-".equals(json);
        if (sgemm) {
            SgemmPeak.Result peak = SgemmPeak.measure(SgemmPeak.DEFAULT_SIZE, 5);
            Map<String, Object> figures = new LinkedHashMap<>();
            figures.put("size", peak.size());
            figures.put("gflops", peak.gflops());
            figures.put("seconds_median", peak.seconds().median());
            report.put("sgemm", figures);
            if (table) {
                out.printf(Locale.ROOT, "fp32 peak: sgemm %dx%d through ND4J, %.1f GFLOP/s (median of 5)%n", peak.size(),
                        peak.size(), peak.gflops());
            }
        }
        if (model != null) {
            benchModel(benchMode, chosen, batchSizes, report, out, table);
        }
        report.put("load_average_after", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        if ("-".equals(json)) {
            out.println(text);
        } else if (jsonPath != null) {
            AtomicFiles.write(jsonPath, temp -> Files.writeString(temp, text + System.lineSeparator()));
        }
        out.flush();
        return 0;
    }

    private void benchModel(ModelBenchmark.Mode benchMode, Engine chosen, List<Integer> batchSizes,
                            Map<String, Object> report, PrintWriter out, boolean table) throws Exception {
        if (benchMode == ModelBenchmark.Mode.TRAIN && chosen == Engine.ONNXRUNTIME) {
            throw new IllegalArgumentException("training steps run on DL4J: --mode train takes --engine dl4j");
        }
        // Every image of a benchmark has one size: ONNX Runtime plans a dynamic-size model for it.
        InferenceModels.Options options = InferenceModels.Options.defaults().withEngine(chosen)
                .withThreads(threads == null ? 0 : threads).withFolding(!noFold).withOneSize(true);
        try (BenchTarget loaded = BenchTarget.load(model, benchMode, input == null ? null : InputShape.parse(input),
                options, note -> spec.commandLine().getErr().println("repzoo: " + note))) {
            report.put("model", loaded.name());
            report.put("engine", loaded.engine());
            report.put("input", loaded.input().toString());
            report.put("mode", benchMode.toString());
            report.put("multiply_adds", loaded.multiplyAdds());
            report.put("parameter_bytes", loaded.weightBytes());
            if (table) {
                out.printf(Locale.ROOT, "%s on %s, input %s, %s, %s threads, %s GMACs per image, weights %.0f MB%n",
                        loaded.name(), loaded.engine(), loaded.input(), benchMode, threads != null ? threads
                                : loaded.opened() != null && loaded.opened().engine() == Engine.ONNXRUNTIME
                                ? "all" : Integer.toString(Threads.current()),
                        loaded.multiplyAdds() < 0 ? "?" : Formats.giga(loaded.multiplyAdds()),
                        loaded.weightBytes() / 1e6);
            }
            List<Map<String, Object>> rows = new ArrayList<>();
            Table results = new Table("batch", "img/s", "min", "max", "ms/batch", "GFLOP/s", "peak heap MB",
                    "peak RSS MB").rightAlign(0, 1, 2, 3, 4, 5, 6, 7);
            for (int batch : batchSizes) {
                ModelBenchmark.Settings settings = new ModelBenchmark.Settings(batch, benchMode, warmup, iterations,
                        maxSeconds);
                ModelBenchmark.Result r;
                try (ProgressBar bar = ProgressBars.items(loaded.name() + " b" + batch, "it", warmup + iterations)) {
                    r = loaded.run(settings, bar::stepBy);
                }
                rows.add(row(r));
                results.row(batch, fixed(r.imagesPerSecond()), fixed(r.imagesPerSecondMin()),
                        fixed(r.imagesPerSecondMax()), String.format(Locale.ROOT, "%.1f",
                                r.secondsPerBatch().median() * 1e3), Double.isNaN(r.gflops()) ? "?" : fixed(r.gflops()),
                        megabytes(r.heapPeakBytes()), megabytes(r.residentPeakBytes()));
            }
            report.put("results", rows);
            if (table) {
                results.print(out);
                out.println("peak RSS: the process's resident high-water mark while the batch ran (weights included)");
            }
        } catch (OutOfMemoryError e) {
            throw ModelBenchmark.outOfMemory("building " + model, e);
        }
    }

    private static Map<String, Object> row(ModelBenchmark.Result r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("batch", r.batch());
        row.put("timed_iterations", r.timedIterations());
        row.put("images_per_second",
                TimingStats.figures(r.imagesPerSecond(), r.imagesPerSecondMin(), r.imagesPerSecondMax()));
        row.put("seconds_per_batch", TimingStats.figures(r.secondsPerBatch().median(), r.secondsPerBatch().min(),
                r.secondsPerBatch().max()));
        row.put("gflops", r.gflops());
        row.put("peak_heap_bytes", r.heapPeakBytes());
        row.put("peak_resident_bytes", r.residentPeakBytes());
        row.put("peak_resident_is_section_peak", r.residentPeakIsSectionPeak());
        row.put("resident_before_bytes", r.residentBeforeBytes());
        row.put("resident_growth_after_warmup_bytes", r.residentGrowthBytes());
        row.put("heap_allocated_per_batch_bytes", r.heapAllocatedPerBatch());
        return row;
    }

    /** "1,16,64" into batch sizes; the error names the bad item. */
    static List<Integer> parseBatches(String text) {
        List<Integer> sizes = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            try {
                int size = Integer.parseInt(part.trim());
                if (size < 1) {
                    throw new NumberFormatException();
                }
                sizes.add(size);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad --batch '" + text + "': '" + part + "' is not a positive integer");
            }
        }
        return sizes;
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value);
    }

    private static String megabytes(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.0f", bytes / 1e6);
    }
}
