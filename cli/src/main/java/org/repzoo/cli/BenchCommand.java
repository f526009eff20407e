package org.repzoo.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.training.bench.ModelBenchmark;
import org.repzoo.training.bench.SgemmPeak;
import org.repzoo.training.bench.Threads;
import org.repzoo.zoo.Zoo;
import org.repzoo.zoo.core.GraphStats;
import org.repzoo.zoo.core.InputShape;
import org.repzoo.zoo.core.ModelOptions;
import org.repzoo.zoo.core.TimingStats;
import org.repzoo.zoo.weights.Provenance;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Inference or training-step speed of a model on random input: warm-up, then timed iterations; "
                + "median, min and max images/s, latency per batch, achieved GFLOP/s, peak heap and peak resident "
                + "memory for each batch size. --sgemm adds the machine's fp32 peak (a large sgemm through ND4J)."})
final class BenchCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "NAME|MODEL.zip",
            description = "A registered model (fresh weights) or a model zip.")
    private String model;

    @Option(names = "--batch", paramLabel = "B[,B...]", description = "Batch sizes (default: ${DEFAULT-VALUE}).",
            defaultValue = "1,16")
    private String batches;

    @Option(names = "--input", paramLabel = "CxHxW", description = "Input size (default: the model's, e.g. 3x224x224).")
    private String input;

    @Option(names = "--mode", paramLabel = "infer|train", defaultValue = "infer",
            description = "infer: forward of the main head; train: forward, backward and a plain SGD update.")
    private String mode;

    @Option(names = "--threads", paramLabel = "N", description = "Native threads (default: ND4J's, i.e. the cores).")
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
        if (jsonPath != null && model != null && Files.exists(Path.of(model)) && Files.isSameFile(jsonPath, Path.of(model))) {
            throw new IllegalArgumentException("--json " + json + " is the model: RepZoo never overwrites an input");
        }
        new ModelBenchmark.Settings(1, benchMode, warmup, iterations, maxSeconds); // checks the numbers before the model is built
        if (threads != null) {
            Threads.set(threads);
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("cpu", cpuModel());
        report.put("nd4j_native", nativeBuild());
        report.put("threads", Threads.current());
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
            benchModel(benchMode, batchSizes, report, out, table);
        }
        report.put("load_average_after", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report);
        if ("-".equals(json)) {
            out.println(text);
        } else if (jsonPath != null) {
            writeAtomically(jsonPath, text);
        }
        out.flush();
        return 0;
    }

    private void benchModel(ModelBenchmark.Mode benchMode, List<Integer> batchSizes, Map<String, Object> report,
                            PrintWriter out, boolean table) throws Exception {
        Loaded loaded;
        try {
            loaded = load();
        } catch (OutOfMemoryError e) {
            throw ModelBenchmark.outOfMemory("building " + model, e);
        }
        long macs = GraphStats.of(loaded.graph().getConfiguration(), loaded.input()).multiplyAdds();
        report.put("model", loaded.name());
        report.put("input", loaded.input().toString());
        report.put("mode", benchMode.toString());
        report.put("multiply_adds", macs);
        long parameterBytes = loaded.graph().params().length() * loaded.graph().params().dataType().width();
        report.put("parameter_bytes", parameterBytes);
        if (table) {
            out.printf(Locale.ROOT, "%s, input %s, %s, %d threads, %s GMACs per image, weights %.0f MB%n", loaded.name(),
                    loaded.input(), benchMode, Threads.current(), Formats.giga(macs), parameterBytes / 1e6);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        Table results = new Table("batch", "img/s", "min", "max", "ms/batch", "GFLOP/s", "peak heap MB", "peak RSS MB")
                .rightAlign(0, 1, 2, 3, 4, 5, 6, 7);
        for (int batch : batchSizes) {
            ModelBenchmark.Settings settings = new ModelBenchmark.Settings(batch, benchMode, warmup, iterations, maxSeconds);
            ModelBenchmark.Result r;
            try (ProgressBar bar = ProgressBars.items(loaded.name() + " b" + batch, "it", warmup + iterations)) {
                r = ModelBenchmark.run(loaded.graph(), loaded.input(), macs, settings, bar::stepBy);
            }
            rows.add(row(r));
            results.row(batch, fixed(r.imagesPerSecond()), fixed(r.imagesPerSecondMin()), fixed(r.imagesPerSecondMax()),
                    String.format(Locale.ROOT, "%.1f", r.secondsPerBatch().median() * 1e3), fixed(r.gflops()),
                    megabytes(r.heapPeakBytes()), megabytes(r.residentPeakBytes()));
        }
        report.put("results", rows);
        if (table) {
            results.print(out);
            out.println("peak RSS: the process's resident high-water mark while the batch ran (weights included)");
        }
    }

    private record Loaded(String name, ComputationGraph graph, InputShape input) {
    }

    private Loaded load() throws Exception {
        boolean isFile = model.endsWith(".zip") || Files.exists(Path.of(model));
        if (!isFile) {
            var entry = Zoo.registry().get(model);
            InputShape shape = input == null ? entry.defaultInput() : InputShape.parse(input);
            return new Loaded(entry.name(), entry.init(ModelOptions.defaults().withInput(shape)), shape);
        }
        Path file = Path.of(model);
        var provenance = Provenance.of(file);
        InputShape shape;
        if (input != null) {
            shape = InputShape.parse(input);
        } else if (provenance.isPresent() && Zoo.registry().contains(provenance.get().architecture())) {
            shape = Zoo.registry().get(provenance.get().architecture()).defaultInput();
        } else {
            shape = InputShape.of(3, 224, 224);
        }
        return new Loaded(file.getFileName().toString(), Zoo.load(file), shape);
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

    private static void writeAtomically(Path target, String text) throws java.io.IOException {
        Path parent = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(parent, target.getFileName().toString(), ".tmp");
        try {
            Files.writeString(temp, text + System.lineSeparator());
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, value >= 100 ? "%.0f" : "%.1f", value);
    }

    private static String megabytes(long bytes) {
        return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.0f", bytes / 1e6);
    }

    /** The processor's name from /proc/cpuinfo, or os.arch. */
    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (java.io.IOException e) {
            // not Linux: the architecture is all there is
        }
        return System.getProperty("os.arch");
    }

    /**
     * Which nd4j-native build runs (e.g. linux-x86_64-onednn): the folder JavaCPP loaded libnd4j's JNI library from.
     * Several builds can be on the class path; JavaCPP takes the first of its extension list that is there.
     */
    static String nativeBuild() {
        org.nd4j.linalg.factory.Nd4j.getExecutioner(); // loads the native library if nothing has yet
        for (String path : org.bytedeco.javacpp.Loader.getLoadedLibraries().values()) {
            if (path != null && path.contains("jnind4jcpu")) {
                Path parent = Path.of(path).getParent();
                return parent == null ? path : parent.getFileName().toString();
            }
        }
        return "unknown";
    }

}
