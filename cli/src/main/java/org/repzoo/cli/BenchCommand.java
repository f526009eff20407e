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
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.repzoo.deploy.Engine;
import org.repzoo.deploy.InferenceModels;
import org.repzoo.deploy.OpenedModel;
import org.repzoo.deploy.onnx.OnnxMetadata;
import org.repzoo.evaluation.engine.Member;
import org.repzoo.training.bench.ModelBenchmark;
import org.repzoo.zoo.checkpoint.AtomicFiles;
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
        report.put("cpu", cpuModel());
        report.put("nd4j_native", nativeBuild());
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
        try (Loaded loaded = load(benchMode, chosen)) {
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
                    r = loaded.train() != null
                            ? ModelBenchmark.run(loaded.train(), loaded.input(), loaded.multiplyAdds(), settings,
                            bar::stepBy)
                            : ModelBenchmark.run(loaded.opened().model(), loaded.input(), loaded.multiplyAdds(),
                            loaded.weightBytes(), settings, bar::stepBy);
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

    /**
     * The model to time: for inference an opened model on the engine, for training steps the DL4J graph as built.
     * Multiply-adds come from the DL4J graph, or from the registered architecture an ONNX file names (-1: unknown).
     */
    private record Loaded(String name, String engine, OpenedModel opened, ComputationGraph train, InputShape input,
                          long multiplyAdds, long weightBytes) implements AutoCloseable {
        @Override
        public void close() {
            if (opened != null) {
                opened.close();
            }
        }
    }

    private Loaded load(ModelBenchmark.Mode benchMode, Engine chosen) throws Exception {
        InferenceModels.Options options = InferenceModels.Options.defaults().withEngine(chosen)
                .withThreads(threads == null ? 0 : threads).withFolding(!noFold);
        boolean isFile = model.endsWith(".zip") || model.endsWith(".onnx") || Files.exists(Path.of(model));
        boolean train = benchMode == ModelBenchmark.Mode.TRAIN;
        if (train && chosen == Engine.ONNXRUNTIME) {
            throw new IllegalArgumentException("training steps run on DL4J: --mode train takes --engine dl4j");
        }
        if (!isFile) {
            var entry = Zoo.registry().get(model);
            InputShape shape = input == null ? entry.defaultInput() : InputShape.parse(input);
            ComputationGraph graph = entry.init(ModelOptions.defaults().withInput(shape));
            long macs = GraphStats.of(graph.getConfiguration(), shape).multiplyAdds();
            long bytes = graph.params().length() * graph.params().dataType().width();
            if (train) {
                return new Loaded(entry.name(), Engine.DL4J.toString(), null, graph, shape, macs, bytes);
            }
            OpenedModel opened = InferenceModels.open(graph, entry.name(), new OnnxMetadata(entry.name(), shape,
                    entry.preset(), null, null), options);
            return new Loaded(entry.name(), opened.engine().toString(), opened, null, shape, macs, bytes);
        }
        Path file = Path.of(model);
        if (train) {
            if (InferenceModels.isOnnx(file)) {
                throw new IllegalArgumentException(file + " is an ONNX model: training steps run on DL4J, from a "
                        + "model zip or a registered name");
            }
            ComputationGraph graph = Zoo.load(file);
            InputShape shape = input != null ? InputShape.parse(input)
                    : InferenceModels.inputOf(Provenance.of(file), Member.presetOf(file, note -> { }));
            return new Loaded(file.getFileName().toString(), Engine.DL4J.toString(), null, graph, shape,
                    GraphStats.of(graph.getConfiguration(), shape).multiplyAdds(),
                    graph.params().length() * graph.params().dataType().width());
        }
        OpenedModel opened = InferenceModels.open(file, options, note -> spec.commandLine().getErr()
                .println("repzoo: " + note));
        InputShape shape = input != null ? InputShape.parse(input) : opened.input();
        long macs = opened.graph().map(g -> GraphStats.of(g.getConfiguration(), shape).multiplyAdds())
                .orElseGet(() -> registeredMultiplyAdds(opened, shape));
        long bytes = opened.graph().map(g -> g.params().length() * g.params().dataType().width())
                .orElse(Files.size(file));
        return new Loaded(file.getFileName().toString(), opened.engine().toString(), opened, null, shape, macs, bytes);
    }

    /** An ONNX file's multiply-adds, from the registered architecture its metadata names; -1 without one. */
    private static long registeredMultiplyAdds(OpenedModel opened, InputShape shape) {
        if (opened.architecture() == null || !Zoo.registry().contains(opened.architecture())) {
            return -1;
        }
        var entry = Zoo.registry().get(opened.architecture());
        float[] blank = new float[shape.channels() * shape.height() * shape.width()];
        int classes = opened.model().logits(blank, 1, shape.channels(), shape.height(), shape.width()).length;
        var conf = entry.configure(ModelOptions.defaults().withInput(shape).withClasses(classes));
        return GraphStats.of(conf, shape).multiplyAdds();
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
